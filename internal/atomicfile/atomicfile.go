// Package atomicfile writes files so that a reader, or a rerun after a
// crash, never sees half of one: the data goes to a temporary file in the
// same directory, is synced, and is renamed over the target.
package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"time"
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

// RemoveStale removes the temporary files Write leaves in dir when the
// process dies mid-write, if they are older than age (a younger one may
// be another process's write in progress). A missing dir is not an error.
func RemoveStale(dir string, age time.Duration) (int, error) {
	tmps, err := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range tmps {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < age {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}
