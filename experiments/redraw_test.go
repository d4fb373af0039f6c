package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The committed figures and summaries are what the code draws from the
// committed points: -redraw on a copy of each results/<name>/points.csv and
// manifest.json writes figures/ (SVG and PNG) and summary.md byte for byte
// as committed, and no other figure. After a deliberate change of the
// figures or the summary, run `go run ./experiments -redraw` and commit
// the result. Like the golden points, the bytes are those of amd64 (where
// Go fuses no multiply-add; elsewhere the rasterizer may round otherwise).
func TestCommittedFiguresCurrent(t *testing.T) {
	results := filepath.Join("..", "results")
	dirs, err := resultDirs(results, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var names []string
	for _, d := range dirs {
		name := filepath.Base(d)
		names = append(names, name)
		if err := os.MkdirAll(filepath.Join(out, name), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"points.csv", "manifest.json"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, name, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-redraw", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, name := range names {
		hint := "go run ./experiments -redraw " + name
		files := []string{"summary.md"}
		committed := figureFiles(t, filepath.Join(results, name, "figures"))
		drawn := figureFiles(t, filepath.Join(out, name, "figures"))
		if !slices.Equal(committed, drawn) {
			t.Errorf("results/%s/figures holds %v; its points draw %v (%s, and remove the others)", name, committed, drawn, hint)
		}
		for _, f := range drawn {
			files = append(files, filepath.Join("figures", f))
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(results, name, f))
			if err != nil {
				t.Errorf("%v (%s)", err, hint)
				continue
			}
			got, err := os.ReadFile(filepath.Join(out, name, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("results/%s/%s differs from what results/%s/points.csv draws: %s", name, f, name, hint)
			}
		}
	}
	if len(names) == 0 {
		t.Error("no committed results found under ../results")
	}
}

func figureFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// -redraw rewrites only figures/ and summary.md, refuses a name without
// results, and -redraw of a quick run reproduces what the run wrote.
func TestRedraw(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a tiny definition")
	}
	out, _ := runTiny(t)
	var stdout, stderr bytes.Buffer
	dir := filepath.Join(out, "tiny")
	before := readTree(t, dir)
	if len(before) < 4 {
		t.Fatalf("the run wrote only %d files", len(before))
	}
	// Spoil the derived files: -redraw must write them back as they were.
	for name := range before {
		if name == "summary.md" || strings.HasPrefix(name, "figures/") {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("stale"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"-redraw", "-out", out, "tiny"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	after := readTree(t, dir)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s after -redraw differs from what the run wrote", name)
		}
	}
	if !strings.Contains(stdout.String(), "redrew "+dir) {
		t.Errorf("stdout %q does not name %s", stdout.String(), dir)
	}
	// The notes come from the manifest: a unit recorded there as failed is
	// reported.
	m := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`"cached": false`), []byte(`"cached": false, "error": "diverged at step 2"`), 1)
	if err := os.WriteFile(m, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-redraw", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if s, _ := os.ReadFile(filepath.Join(dir, "summary.md")); !bytes.Contains(s, []byte("**FAILED**")) ||
		!bytes.Contains(s, []byte("diverged at step 2")) {
		t.Errorf("summary.md does not report the failure recorded in manifest.json:\n%s", s)
	}

	// A points file or manifest that does not belong with the other (a
	// unit's rows dropped, a manifest of another definition, a row of a
	// unit the manifest lists as failed) is refused, naming the file;
	// before, -redraw drew what it found and exited 0.
	pfile := filepath.Join(dir, "points.csv")
	pb, err := os.ReadFile(pfile)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(string(pb), "\n") {
		if !strings.Contains(l, ",random,") {
			kept = append(kept, l)
		}
	}
	mb, _ := os.ReadFile(m)
	// A number edited: the units still match; only the SHA-256 that
	// manifest.json records of the points.csv written with it tells.
	lines := strings.SplitAfter(string(pb), "\n")
	fields := strings.Split(lines[1], ",")
	fields[13] += "1" // train_mse, one more digit
	edited := strings.Join(append(append([]string{lines[0]}, strings.Join(fields, ",")), lines[2:]...), "")
	for _, c := range []struct {
		name, file, content, want string
	}{
		{"a unit's rows dropped", pfile, strings.Join(kept, ""), "no rows of random/global seed 1, which " + m + " records as finished"},
		{"a manifest of another definition", m, strings.Replace(string(mb), `"name": "tiny"`, `"name": "other"`, 1), m + `: definition "other", but the directory is tiny`},
		{"a number edited", pfile, edited, pfile + ": SHA-256 "},
		{"rows of a failed unit", m, strings.Replace(string(mb), `"method": "obd",`, `"method": "obd", "error": "diverged",`, 1), "which " + m + " records as failed"},
	} {
		orig, _ := os.ReadFile(c.file)
		if err := os.WriteFile(c.file, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		err := run(context.Background(), []string{"-redraw", "-out", out, "tiny"}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: -redraw err %v, want one containing %q", c.name, err, c.want)
		}
		if err := os.WriteFile(c.file, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A manifest written before manifests recorded points_sha256 gets it
	// from -redraw, once its units match: the manifest is then as the run
	// wrote it, byte for byte.
	legacy := regexp.MustCompile(`\n  "points_sha256": "[0-9a-f]{64}",`)
	written := before["manifest.json"]
	if !legacy.Match(written) {
		t.Fatalf("%s records no points_sha256:\n%s", m, written)
	}
	if err := os.WriteFile(m, legacy.ReplaceAll(written, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-redraw", "-out", out, "tiny"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(m); !bytes.Equal(got, written) {
		t.Errorf("-redraw of a manifest without points_sha256 wrote\n%s\nwant\n%s", got, written)
	}

	err = run(context.Background(), []string{"-redraw", "-out", out, "nothing"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(out, "nothing")) {
		t.Errorf("-redraw of a missing result: err %v, want one naming %s", err, filepath.Join(out, "nothing"))
	}
}

// readTree reads every file under dir, by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
