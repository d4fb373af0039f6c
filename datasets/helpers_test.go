package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gz gzips b.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// idx3 builds an uncompressed idx3 image file with the given header and body.
func idx3(magic, n, rows, cols uint32, body []byte) []byte {
	h := binary.BigEndian.AppendUint32(nil, magic)
	h = binary.BigEndian.AppendUint32(h, n)
	h = binary.BigEndian.AppendUint32(h, rows)
	h = binary.BigEndian.AppendUint32(h, cols)
	return append(h, body...)
}

// idx1 builds an uncompressed idx1 label file with the given header and body.
func idx1(magic, n uint32, body []byte) []byte {
	h := binary.BigEndian.AppendUint32(nil, magic)
	h = binary.BigEndian.AppendUint32(h, n)
	return append(h, body...)
}

// images returns n synthetic images whose pixels are (image+pixel) mod 256.
func images(n int) []byte {
	b := make([]byte, n*Pixels)
	for i := range b {
		b[i] = byte(i/Pixels + i%Pixels)
	}
	return b
}

func validImagesGz(t testing.TB, n int) []byte {
	return gz(t, idx3(imageMagic, uint32(n), Rows, Cols, images(n)))
}

func validLabelsGz(t testing.TB, labels []byte) []byte {
	return gz(t, idx1(labelMagic, uint32(len(labels)), labels))
}

func writeFile(t testing.TB, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err is non-nil and contains every substring.
func wantErr(t testing.TB, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not contain %q", err, s)
		}
	}
}

var realData struct {
	once sync.Once
	m    *MNIST
	err  error
}

// realMNIST loads the real data once per test binary.
func realMNIST(t testing.TB) *MNIST {
	t.Helper()
	realData.once.Do(func() {
		dir, err := ResolveDir("")
		if err != nil {
			realData.err = err
			return
		}
		realData.m, realData.err = Load(dir)
	})
	if realData.err != nil {
		t.Fatalf("loading real MNIST: %v", realData.err)
	}
	return realData.m
}
