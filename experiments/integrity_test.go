package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A net that did not learn is a failure, not a result: lenet300 trained at
// lr 1e6 ends at chance with a finite objective of about 1e109, and its
// units used to be pruned and written as measurements, exit 0.
func TestDidNotLearnFails(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small lenet300")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-out", out, filepath.Join("testdata", "hostile", "lenet300-hot-rate.yaml")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "2 units failed") {
		t.Fatalf("err = %v, want 2 units failed\n%s", err, stderr.String())
	}
	summary, _ := os.ReadFile(filepath.Join(out, "lenet300-hot-rate", "summary.md"))
	for _, want := range []string{"**FAILED**: the dense lenet300 of seed 1: training did not learn", "training did not learn", "**FAILED**: obd/global seed 1"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	pts, _ := os.ReadFile(filepath.Join(out, "lenet300-hot-rate", "points.csv"))
	if n := strings.Count(string(pts), "\n"); n != 1 {
		t.Errorf("points.csv has %d lines, want the header alone", n)
	}
}

// A unit is named by what determines its numbers: adding a seed computes
// only the new seed's units, and editing the description computes nothing.
func TestUnitKeysReuse(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep")
	}
	src, err := os.ReadFile(filepath.Join("testdata", "tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	computed := func(edit func(string) string) int {
		t.Helper()
		def := filepath.Join(dir, "tiny.yaml")
		os.WriteFile(def, []byte(edit(string(src))), 0o644)
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"-out", out, def}, &stdout, &stderr); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		return strings.Count(stderr.String(), " points, ")
	}
	one := func(s string) string { return strings.Replace(s, "seeds: [1, 2]", "seeds: [1]", 1) }
	if n := computed(one); n != 6 {
		t.Fatalf("first run computed %d units, want 6", n)
	}
	if n := computed(func(s string) string { return s }); n != 6 {
		t.Errorf("adding seed 2 computed %d units, want its 6", n)
	}
	if n := computed(func(s string) string { return "description: another text\n" + s }); n != 0 {
		t.Errorf("editing the description computed %d units, want 0", n)
	}
}

// A failed write stops the command with an error naming the path; it is
// not recorded as a failed unit (it used to appear in summary.md as
// FAILED, like a diverged training).
func TestWriteErrorStops(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep")
	}
	out, def := runTiny(t)
	var stdout, stderr bytes.Buffer
	csvs, _ := filepath.Glob(filepath.Join(out, "tiny", "units", "random-global-*-seed2.csv"))
	if len(csvs) != 1 {
		t.Fatalf("unit files %v", csvs)
	}
	// The unit must be computed again, and its points cannot be written:
	// a directory stands where the file goes.
	os.Remove(strings.TrimSuffix(csvs[0], ".csv") + ".json")
	os.Remove(csvs[0])
	if err := os.MkdirAll(filepath.Join(csvs[0], "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"-out", out, def}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(csvs[0])) {
		t.Fatalf("err = %v, want one naming %s", err, csvs[0])
	}
	if failed, _ := filepath.Glob(filepath.Join(out, "tiny", "units", "*.failed.json")); len(failed) != 0 {
		t.Errorf("a write error was recorded as a failed unit: %v", failed)
	}
}

// A cached dense net with a flipped bit is reported once and trained
// again; the outputs are those of the intact net (it used to be read as it
// was: one flipped bit moved a test error from 23% to 53%).
func TestDamagedDenseCacheRetrained(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep")
	}
	out, def := runTiny(t)
	var stdout, stderr bytes.Buffer
	want, _ := os.ReadFile(filepath.Join(out, "tiny", "points.csv"))
	nets, _ := filepath.Glob(filepath.Join(out, ".cache", "dense", "*.params"))
	if len(nets) != 2 {
		t.Fatalf("cached nets %v", nets)
	}
	b, _ := os.ReadFile(nets[0])
	b[len(b)-8] ^= 0x40
	os.WriteFile(nets[0], b, 0o644)
	// Every unit must read the dense net again.
	units, _ := filepath.Glob(filepath.Join(out, "tiny", "units", "*-seed*.json"))
	for _, u := range units {
		os.Remove(u)
	}
	stderr.Reset()
	if err := run(context.Background(), []string{"-out", out, def}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr.String(), filepath.Base(nets[0])); n != 1 {
		t.Errorf("the damaged net is named %d times on stderr, want once:\n%s", n, stderr.String())
	}
	if got, _ := os.ReadFile(filepath.Join(out, "tiny", "points.csv")); string(got) != string(want) {
		t.Error("points.csv differs after retraining the damaged dense net")
	}
}

// runTiny runs testdata/tiny.yaml into a fresh output directory and
// returns it and the definition's path.
func runTiny(t *testing.T) (out, def string) {
	t.Helper()
	def = filepath.Join("testdata", "tiny.yaml")
	out = t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-out", out, def}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	return out, def
}
