package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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

// A temporary file left by a killed writer is removed once it is old; a
// fresh one (another process's write in progress) and real files are not.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".a.csv.tmp123")
	fresh := filepath.Join(dir, ".b.csv.tmp456")
	keep := filepath.Join(dir, "a.csv")
	for _, p := range []string{old, fresh, keep} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	os.Chtimes(old, past, past)
	os.Chtimes(keep, past, past)
	n, err := RemoveStale(dir, time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("RemoveStale = %d, %v; want 1, nil", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("stale temporary file kept")
	}
	for _, p := range []string{fresh, keep} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if n, err := RemoveStale(filepath.Join(dir, "missing"), time.Minute); n != 0 || err != nil {
		t.Errorf("missing dir: %d, %v", n, err)
	}
}
