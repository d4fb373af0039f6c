package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"obd/study"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	good := []struct {
		spec string
		env  func(string) string
		want study.Shard
	}{
		{"", env(), study.Shard{}},
		{"0/1", env(), study.Shard{Index: 0, Count: 1}},
		{"2/4", env(), study.Shard{Index: 2, Count: 4}},
		{"auto", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "8"), study.Shard{Index: 3, Count: 8}},
		// --array=1-8: Slurm's IDs start at 1, shards at 0.
		{"auto", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "8"), study.Shard{Index: 0, Count: 8}},
		// --array=0-10:5 is tasks 0, 5 and 10.
		{"auto", env("SLURM_ARRAY_TASK_ID", "10", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_STEP", "5", "SLURM_ARRAY_TASK_COUNT", "3"), study.Shard{Index: 2, Count: 3}},
		{"auto/6", env("JOB_COMPLETION_INDEX", "5"), study.Shard{Index: 5, Count: 6}},
		{"auto/6", env("SLURM_ARRAY_TASK_ID", "4"), study.Shard{Index: 4, Count: 6}},
	}
	for _, c := range good {
		got, err := parseShard(c.spec, c.env)
		if err != nil || got != c.want {
			t.Errorf("parseShard(%q) = %v, %v; want %v", c.spec, got, err, c.want)
		}
	}
	bad := []struct {
		spec string
		env  func(string) string
		want string
	}{
		{"3", env(), "want I/N"},
		{"4/4", env(), "outside 0..3 (indices are 0-based)"},
		{"-1/4", env(), "outside 0..3"},
		{"a/4", env(), `index "a" is not an integer`},
		{"1/0", env(), `count "0" is not a positive integer`},
		{"auto", env(), "neither JOB_COMPLETION_INDEX"},
		{"auto", env("JOB_COMPLETION_INDEX", "1"), "use -shard auto/N"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "1"), "SLURM_ARRAY_TASK_COUNT is not set"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "2"), `SLURM_ARRAY_TASK_ID="x"`},
		{"auto", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_STEP", "2", "SLURM_ARRAY_TASK_COUNT", "4"), "not MIN+k·STEP"},
		{"auto/2", env("JOB_COMPLETION_INDEX", "2"), "outside 0..1"},
	}
	for _, c := range bad {
		_, err := parseShard(c.spec, c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseShard(%q) error %v, want one containing %q", c.spec, err, c.want)
		}
	}
}

// outputs reads a result directory's outputs for comparison: points.csv,
// summary.md and the figures byte for byte, and the manifest without what
// belongs to one process (timings, cache hits, the time it was written).
// The output directory, which the recorded command names (-out), reads OUT.
func outputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, rel := range []string{"points.csv", "summary.md"} {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		files[rel] = strings.ReplaceAll(string(b), filepath.Dir(dir), "OUT")
	}
	figs, _ := filepath.Glob(filepath.Join(dir, "figures", "*"))
	if len(figs) == 0 {
		t.Fatalf("%s: no figures", dir)
	}
	for _, f := range figs {
		b, _ := os.ReadFile(f)
		files["figures/"+filepath.Base(f)] = string(b)
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(filepath.Dir(dir)), []byte("OUT"))
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"written", "dense", "git_commit", "workers"} {
		delete(m, k)
	}
	for _, u := range m["units"].([]any) {
		delete(u.(map[string]any), "seconds")
		delete(u.(map[string]any), "cached")
	}
	b, _ = json.MarshalIndent(m, "", " ")
	files["manifest.json (stable fields)"] = string(b)
	return files
}

func sameOutputs(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s differs from the unsharded run's", what, name)
		}
	}
}

// Shards run one after another, shards run at the same time, and -merge
// all write what one unsharded run writes; a shard that is not the last
// writes nothing, and -merge with a unit missing names it and fails.
func TestShardsAndMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep several times")
	}
	def := filepath.Join("testdata", "tiny.yaml")
	ctx := context.Background()
	runTo := func(out string, flags ...string) error {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append(flags, "-out", out, def), &stdout, &stderr)
		if err != nil {
			t.Logf("%s\n%s", stdout.String(), stderr.String())
		}
		return err
	}
	root := t.TempDir()
	// The dense nets are cached under OUT/.cache: every run gets its own
	// OUT, so each trains them itself, as on separate machines.
	single := filepath.Join(root, "single")
	if err := runTo(single); err != nil {
		t.Fatal(err)
	}
	want := outputs(t, filepath.Join(single, "tiny"))

	seq := filepath.Join(root, "seq")
	for i, spec := range []string{"0/3", "2/3", "1/3"} {
		if err := runTo(seq, "-shard", spec); err != nil {
			t.Fatalf("shard %s: %v", spec, err)
		}
		_, err := os.Stat(filepath.Join(seq, "tiny", "points.csv"))
		if last := i == 2; last == os.IsNotExist(err) {
			t.Fatalf("after shard %s (last: %v): points.csv stat error %v", spec, last, err)
		}
	}
	sameOutputs(t, "sequential shards", outputs(t, filepath.Join(seq, "tiny")), want)

	// -merge rewrites the outputs from the units alone.
	for _, f := range []string{"points.csv", "summary.md", "manifest.json", "figures"} {
		os.RemoveAll(filepath.Join(seq, "tiny", f))
	}
	if err := runTo(seq, "-merge"); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "-merge", outputs(t, filepath.Join(seq, "tiny")), want)

	// A merge on a machine without the dense nets' cache still reports
	// every seed's dense training, from the records beside the units.
	if err := os.RemoveAll(filepath.Join(seq, ".cache")); err != nil {
		t.Fatal(err)
	}
	if err := runTo(seq, "-merge"); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "-merge without the cache", outputs(t, filepath.Join(seq, "tiny")), want)
	var m struct {
		Seeds []uint64           `json:"seeds"`
		Dense []study.UnitResult `json:"dense"`
	}
	b, _ := os.ReadFile(filepath.Join(seq, "tiny", "manifest.json"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Dense) != len(m.Seeds) || len(m.Seeds) == 0 {
		t.Errorf("-merge without the cache: manifest lists %d dense nets for seeds %v", len(m.Dense), m.Seeds)
	}
	for i, dr := range m.Dense {
		if i < len(m.Seeds) && (dr.Seed != m.Seeds[i] || dr.Method != "dense" || dr.Seconds <= 0) {
			t.Errorf("-merge without the cache: dense record %d = %+v, want seed %d with its training time", i, dr, m.Seeds[i])
		}
	}

	// A damaged dense record beside the units is refused by -merge,
	// naming it; before, the merge dropped the seed's dense training from
	// manifest.json and exited 0.
	drs, _ := filepath.Glob(filepath.Join(seq, "tiny", "units", "*-dense-seed1.json"))
	if len(drs) != 1 {
		t.Fatalf("dense records %v", drs)
	}
	intact, _ := os.ReadFile(drs[0])
	os.WriteFile(drs[0], intact[:len(intact)/2], 0o644)
	if err := runTo(seq, "-merge"); err == nil || !strings.Contains(err.Error(), filepath.Base(drs[0])+": unreadable record") {
		t.Errorf("-merge with a damaged dense record: err %v, want one naming %s", err, filepath.Base(drs[0]))
	}
	os.WriteFile(drs[0], intact, 0o644)

	// A missing unit: -merge fails, names it, and writes nothing.
	units, _ := filepath.Glob(filepath.Join(seq, "tiny", "units", "magnitude-per-layer-*-seed2.csv"))
	if len(units) != 1 {
		t.Fatalf("unit files %v", units)
	}
	os.Remove(units[0])
	os.Remove(strings.TrimSuffix(units[0], ".csv") + ".json")
	os.Remove(filepath.Join(seq, "tiny", "points.csv"))
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-out", seq, "-merge", def}, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "magnitude/per-layer seed 2") {
		t.Errorf("-merge with a unit missing: err %v, stderr %q; want an error naming magnitude/per-layer seed 2", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(seq, "tiny", "points.csv")); !os.IsNotExist(err) {
		t.Error("-merge with a unit missing wrote points.csv")
	}

	// A record that is not this unit's (here: one that claims another
	// BLAS backend, whose units have keys of their own) is refused by
	// -merge, naming the file, and recomputed by a run.
	metas, _ := filepath.Glob(filepath.Join(seq, "tiny", "units", "obd-global-*-seed1.json"))
	if len(metas) != 1 {
		t.Fatalf("unit records %v", metas)
	}
	os.WriteFile(metas[0], []byte(`{"method":"obd","scope":"global","seed":1,"backend":"elsewhere"}`), 0o644)
	err = run(ctx, []string{"-out", seq, "-merge", def}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(metas[0])) {
		t.Errorf("-merge with a foreign record: err = %v, want one naming %s", err, filepath.Base(metas[0]))
	}
	stderr.Reset()
	if err := run(ctx, []string{"-out", seq, def}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), filepath.Base(metas[0])) || !strings.Contains(stderr.String(), "not used, recomputed") {
		t.Errorf("a run with a foreign record: stderr %q, want it named and recomputed", stderr.String())
	}
	sameOutputs(t, "recomputed after a foreign record", outputs(t, filepath.Join(seq, "tiny")), want)

	// Concurrent shards on one directory.
	conc := filepath.Join(root, "conc")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = runTo(conc, "-shard", []string{"0/4", "1/4", "2/4", "3/4"}[i], "-workers", "1")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard %d/4: %v", i, err)
		}
	}
	sameOutputs(t, "concurrent shards", outputs(t, filepath.Join(conc, "tiny")), want)
}

// A unit whose training diverges fails with its reason recorded; the
// others finish, summary.md lists the failure, and the command fails.
func TestDivergedUnitIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep")
	}
	b, err := os.ReadFile(filepath.Join("testdata", "tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	def := filepath.Join(dir, "diverge.yaml")
	// Retraining at a rate of 1e150 makes the cross-entropy of lenet300
	// overflow; the dense net still trains. (lenet1's tanh units saturate
	// and its squared error stays finite.)
	text := strings.Replace(string(b), "retraining: {epochs: 1, batch_size: 32, lr: 0.001", "retraining: {epochs: 1, batch_size: 32, lr: 1e150", 1)
	text = strings.Replace(text, "network: lenet1", "network: lenet300", 1)
	text = strings.Replace(text, "methods: [obd, magnitude, random]", "methods: [magnitude]", 1)
	text = strings.Replace(text, "seeds: [1, 2]", "seeds: [1]", 1)
	os.WriteFile(def, []byte(text), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-out", out, def}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "2 units failed") {
		t.Fatalf("err = %v, want 2 units failed", err)
	}
	summary, err := os.ReadFile(filepath.Join(out, "tiny", "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**FAILED**: magnitude/global seed 1: retraining at step 1: ", "**FAILED**: magnitude/per-layer seed 1"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	failed, _ := filepath.Glob(filepath.Join(out, "tiny", "units", "*.failed.json"))
	if len(failed) != 2 {
		t.Errorf("%d failure records, want 2", len(failed))
	}
}
