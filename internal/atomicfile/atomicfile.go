// Package atomicfile writes files so that a reader, or a rerun after a
// crash, never sees half of one: the data goes to a temporary file in the
// same directory, is synced, and is renamed over the target.
package atomicfile

import (
	"bytes"
	"os"
	"path/filepath"
)

// Write writes data to path atomically, creating the directory if needed.
func Write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// WriteFunc renders with fn into memory and writes the result atomically;
// if fn fails nothing is written.
func WriteFunc(path string, fn func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := fn(&b); err != nil {
		return err
	}
	return Write(path, b.Bytes())
}
