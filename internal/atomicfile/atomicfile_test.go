package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.txt")
	if err := Write(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("content %q", b)
	}
	// A failing render writes nothing and leaves no temporary file.
	err := WriteFunc(filepath.Join(dir, "g.txt"), func(*bytes.Buffer) error { return errors.New("boom") })
	if err == nil {
		t.Error("no error from a failing render")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only f.txt", len(entries))
	}
	if _, err := os.Stat(filepath.Join(dir, "g.txt")); !os.IsNotExist(err) {
		t.Error("g.txt exists after a failed render")
	}
}
