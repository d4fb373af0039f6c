package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"obd/internal/gobench"
)

const gonumOut = `goos: linux
goarch: amd64
pkg: obd/train
cpu: AMD EPYC
BenchmarkTrainEpoch/lenet1-2         	       1	11000000000 ns/op	         3.5 GFLOP/s	      5454 samples/s
BenchmarkTrainEpoch/lenet300-2       	       1	 6000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 8000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 7000000000 ns/op
BenchmarkTrainEpoch/lenet5-2         	       1	90000000000 ns/op	       667 samples/s	  1234 B/op
BenchmarkTrainEpoch/float32/lenet1-2 	       1	 5000000000 ns/op	     12000 samples/s
BenchmarkTrainEpoch/float32/lenet5-2 	       1	30000000000 ns/op	      2000 samples/s
BenchmarkTrainMainJob/lenet1-2       	       1	12000000000 ns/op	         3.0 GFLOP/s	      5000 samples/s
BenchmarkTrainPerPattern/lenet1-2    	       1	 2000000000 ns/op	         1.9 GFLOP/s	      3000 samples/s
BenchmarkOther-2                     	     100	     12345 ns/op
some log line: with a colon
PASS
ok  	obd/train	123.456s
pkg: obd/backend
BenchmarkGEMM/float64/lenet1/parallel-2    	     400	   3000000 ns/op	         7.0 GFLOP/s
BenchmarkGEMM/float64/lenet1/parallel-2    	     400	   3000000 ns/op	         5.0 GFLOP/s
BenchmarkGEMM/float64/lenet1/parallel-2    	     400	   3000000 ns/op	         6.0 GFLOP/s
BenchmarkGEMM/float64/lenet1/serial-2      	     400	   3000000 ns/op	         4.0 GFLOP/s
PASS
ok  	obd/backend	12.3s
`

func parse(t *testing.T, s string) *gobench.File {
	t.Helper()
	f, err := gobench.Parse(strings.NewReader(s), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func readBenchString(t *testing.T, s string) *Bench {
	t.Helper()
	b, err := ReadBench(parse(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ReadBench reads the TrainEpoch results of both precisions, the main
// job's epochs, the per-pattern runs and the GEMM rates of a benchmark file (its parsing is
// tested in internal/gobench).
func TestReadBench(t *testing.T) {
	b := readBenchString(t, gonumOut)
	if len(b.Epochs) != 5 {
		t.Fatalf("epochs %v", b.Epochs)
	}
	if e := b.Epochs[Key{"float64", "lenet1"}]; e.Seconds != 11 || e.SamplesPerSec != 5454 || e.GFLOPs != 3.5 || e.Runs != 1 || e.Procs != 2 {
		t.Errorf("lenet1 %+v", e)
	}
	// Median of three runs; no samples/s metric: computed from 60,000.
	if e := b.Epochs[Key{"float64", "lenet300"}]; e.Seconds != 7 || e.Runs != 3 || e.SamplesPerSec != EpochSamples/7.0 || e.GFLOPs != 0 {
		t.Errorf("lenet300 %+v", e)
	}
	// The float32 sub-benchmarks, BenchmarkTrainEpoch/float32/<net>.
	if e := b.Epochs[Key{"float32", "lenet1"}]; e.Seconds != 5 || e.SamplesPerSec != 12000 || e.Procs != 2 {
		t.Errorf("float32 lenet1 %+v", e)
	}
	if e := b.Epochs[Key{"float32", "lenet5"}]; e.Seconds != 30 || e.SamplesPerSec != 2000 {
		t.Errorf("float32 lenet5 %+v", e)
	}
	if _, ok := b.Epochs[Key{"float32", "lenet300"}]; ok {
		t.Error("float32 lenet300, which did not run, is in the epochs")
	}
	if e, ok := b.MainJob["lenet1"]; !ok || e.SamplesPerSec != 5000 || e.GFLOPs != 3 || e.Seconds != 12 || len(b.MainJob) != 1 {
		t.Errorf("main job %v", b.MainJob)
	}
	if e, ok := b.PerPattern["lenet1"]; !ok || e.SamplesPerSec != 3000 || len(b.PerPattern) != 1 {
		t.Errorf("per-pattern %v", b.PerPattern)
	}
	if g := b.GEMM["float64/lenet1/parallel"]; g.GFLOPs != 6 || g.Runs != 3 || g.Procs != 2 || len(b.GEMM) != 2 {
		t.Errorf("GEMM %v", b.GEMM)
	}
}

func TestReadBenchBroken(t *testing.T) {
	// Parses, but has no TrainEpoch results.
	for _, in := range []string{"", "PASS\nok obd/train 0.1s\n", "BenchmarkOther-2 1 1 ns/op\n", "BenchmarkGEMM/float64/1024/serial-2 1 1 ns/op 1 GFLOP/s\n"} {
		f := parse(t, in)
		if _, err := ReadBench(f); err == nil || !strings.Contains(err.Error(), "no BenchmarkTrainEpoch/<net> results") {
			t.Errorf("%q: error %v", in, err)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"BenchmarkTrainEpoch/lenet1-2 1 1 ns/op\nBenchmarkTrainEpoch/lenet1-4 1 1 ns/op\n", "GOMAXPROCS 2 and 4"},
		{"BenchmarkTrainEpoch/float32/lenet1-2 1 1 ns/op\nBenchmarkTrainEpoch/float32/lenet1-4 1 1 ns/op\n", "GOMAXPROCS 2 and 4"},
		{"BenchmarkTrainEpoch-2 1 1 ns/op\n", `bench.txt:1: benchmark name "TrainEpoch" is not`},
		{"BenchmarkTrainEpoch/float32-2 1 1 ns/op\n", `benchmark name "TrainEpoch/float32" is not`},
		{"BenchmarkTrainEpoch/float16/lenet1-2 1 1 ns/op\n", `"TrainEpoch/float16/lenet1" is not`},
		{"BenchmarkTrainEpoch/lenet1-2 1 1 ns/op\nBenchmarkGEMM/float64/lenet1-2 1 1 ns/op 1 GFLOP/s\n", "bench.txt:2: benchmark name \"GEMM/float64/lenet1\""},
		{"BenchmarkTrainEpoch/lenet1-2 1 1 ns/op\nBenchmarkGEMM/float64/lenet1/parallel-2 1 1 ns/op\n", "bench.txt:2: GEMM/float64/lenet1/parallel does not report GFLOP/s"},
	} {
		if _, err := ReadBench(parse(t, c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

const pytorchJSON = `{"command": "/usr/bin/python3 scripts/bench_pytorch.py --samples 6000", "date": "2026-01-02T03:04:05Z",
 "torch": "1.13.0a0", "torch_package": "1.13.1+dfsg-4", "python": "3.11.2", "threads": 2, "blas_threads": 2,
 "env": {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "OMP_WAIT_POLICY": "passive"}, "blas_libraries": ["/usr/lib/libopenblas.so.0"],
 "cpu": "AMD EPYC", "nproc": 2, "loadavg_start": [1, 2, 3], "loadavg_end": [1, 2, 3], "data": "synthetic",
 "batch": 64, "samples": 6000, "momentum": 0.9, "warmup_batches": 5, "repeat": 1,
 "results": [
  {"net": "lenet1", "dtype": "float64", "params": 2578, "seconds": 1.2, "loss_first": 3, "loss_last": 1},
  {"net": "lenet1", "dtype": "float32", "params": 2578, "seconds": 1.0},
  {"net": "lenet300", "dtype": "float64", "params": 266610, "seconds": 0.5},
  {"net": "lenet5", "dtype": "float32", "params": 431080, "seconds": 2.0}
 ]}`

// testInput is the page's input from the fixtures: PyTorch ran 6000
// samples, its seconds scaled ×10 to an epoch.
func testInput(t *testing.T) *Input {
	t.Helper()
	p, err := ParsePyTorch(strings.NewReader(pytorchJSON), "pt.json")
	if err != nil {
		t.Fatal(err)
	}
	ob := readBenchString(t, "BenchmarkTrainEpoch/lenet300-2 1 2000000000 ns/op\nBenchmarkTrainEpoch/float32/lenet5-2 1 25000000000 ns/op\n")
	ob.File = "ob.txt"
	return &Input{Command: "scripts/bench_compare.sh", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC),
		Gonum: readBenchString(t, gonumOut), OpenBLAS: ob, PyTorch: p}
}

func page(t *testing.T, in *Input) string {
	t.Helper()
	var b strings.Builder
	if err := WriteMarkdown(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteMarkdown(t *testing.T) {
	in := testInput(t)
	md := page(t, in)
	for _, want := range []string{
		"Written by `scripts/bench_compare.sh` on 2026-01-02 03:04 UTC.",
		"PyTorch 1.13.0a0", "`torch.set_num_threads(2)`", "OPENBLAS_NUM_THREADS=2", "float64 and float32",
		"GOMAXPROCS 2", "CPU: AMD EPYC", "It ran 6,000 samples per epoch; its seconds are scaled to 60,000.",
		"Debian python3-torch 1.13.1+dfsg-4", "OMP_WAIT_POLICY=passive", "libraries loaded: libopenblas.so.0.",
		// lenet1: both precisions side by side, each against PyTorch in
		// its own precision: float64 11 s against 12 s, float32 5 s
		// against 10 s.
		"## lenet1 (2578 parameters)\n\n" +
			"|               run                | seconds / epoch | samples / s | Go / PyTorch, same precision |\n" +
			"|:---------------------------------|:----------------|:------------|:-----------------------------|\n" +
			"| Go float64, pure-Go BLAS (gonum) | 11.00           | 5454        | 0.92×                        |\n" +
			"| Go float64, OpenBLAS             | not measured    | –           | –                            |\n" +
			"| PyTorch float64                  | 12.00           | 5000        | 1 (reference)                |\n" +
			"| Go float32, pure-Go BLAS (gonum) | 5.00            | 12000       | 0.50×                        |\n" +
			"| Go float32, OpenBLAS             | not measured    | –           | –                            |\n" +
			"| PyTorch float32                  | 10.00           | 6000        | 1 (reference)                |\n",
		// lenet300: no float32 anywhere; OpenBLAS 2 s against 5 s.
		"| Go float64, OpenBLAS             | 2.00            | 30000       | 0.40×                        |",
		"| Go float32, pure-Go BLAS (gonum) | not measured    | –           | –                            |\n" +
			"| Go float32, OpenBLAS             | not measured    | –           | –                            |\n" +
			"| PyTorch float32                  | not measured    | –           | –                            |\n",
		// lenet5: Go float64 but no PyTorch float64, so no ratio; float32
		// gonum 30 s and OpenBLAS 25 s against 20 s.
		"| Go float64, pure-Go BLAS (gonum) | 90.00           | 667         | –                            |",
		"| Go float32, OpenBLAS             | 25.00           | 2400        | 1.25×                        |",
		"## Goals of issue #18",
		// Missed: 25 s > 1 × 20 s.
		"| LeNet-5 epoch in float32, Go with OpenBLAS ≤ 1 × PyTorch float32 | 1.25× | ✗ ",
		// Met: 30 s ≤ 2 × 20 s.
		"| LeNet-5 epoch in float32, Go with pure-Go BLAS (gonum) ≤ 2 × PyTorch float32 | 1.50× | ✓ ",
		// Missed: the main job's epoch, 3.0 GFLOP/s, is 50% of the median
		// GEMM rate, 6 (not TrainEpoch/lenet1's 3.5, at batch 64).
		"≥ 70% of the GEMM rate of its own products (same run) | 50% (3 of 6 GFLOP/s) | ✗ ",
		// Met: 5000 / 3000 samples/s, against the main job's epoch.
		"≤ 2 × its epoch at the main job's batch size | 1.67× (3000 against 5000 samples/s) | ✓ ",
		"## Goals of issue #6 (older: float64 against PyTorch float64)",
		"| lenet300 epoch in float64, Go with OpenBLAS ≤ 0.5 × PyTorch float64 (issue #6) | 0.40× | ✓ ",
		"| lenet1 epoch in float64, Go with OpenBLAS ≤ 1 × PyTorch float64 (issue #6) | not measured: no BenchmarkTrainEpoch/lenet1 in ob.txt | – ",
	} {
		if !strings.Contains(squeeze(md), squeeze(want)) {
			t.Errorf("page lacks %q:\n%s", want, md)
		}
	}

	// Inputs missing: each goal says which, none passes silently.
	in.OpenBLAS = nil
	delete(in.Gonum.GEMM, "float64/lenet1/parallel")
	delete(in.Gonum.PerPattern, "lenet1")
	in.Gonum.Epochs[Key{"float32", "lenet5"}] = Epoch{Seconds: 50, SamplesPerSec: 1200, Procs: 2} // missed: 2.5×
	md = page(t, in)
	for _, want := range []string{
		"| LeNet-5 epoch in float32, Go with OpenBLAS ≤ 1 × PyTorch float32 | not measured: no OpenBLAS run | – ",
		"| LeNet-5 epoch in float32, Go with pure-Go BLAS (gonum) ≤ 2 × PyTorch float32 | 2.50× | ✗ ",
		"| not measured: no BenchmarkGEMM/float64/lenet1/parallel in bench.txt | – ",
		"| not measured: no BenchmarkTrainPerPattern/lenet1 in bench.txt (not run, or the file predates the benchmark) | – ",
	} {
		if !strings.Contains(squeeze(md), squeeze(want)) {
			t.Errorf("page lacks %q:\n%s", want, md)
		}
	}
	delete(in.Gonum.Epochs, Key{"float32", "lenet5"})
	if want := "| not measured: no BenchmarkTrainEpoch/float32/lenet5 in bench.txt | – "; !strings.Contains(squeeze(page(t, in)), squeeze(want)) {
		t.Errorf("page lacks %q", want)
	}
	in.Gonum.MainJob["lenet1"] = Epoch{Seconds: 12, SamplesPerSec: 5000, Procs: 2} // no GFLOP/s
	in.Gonum.GEMM["float64/lenet1/parallel"] = Rate{GFLOPs: 6, Runs: 1, Procs: 2}
	if want := "not measured: BenchmarkTrainMainJob/lenet1 in bench.txt reports no GFLOP/s"; !strings.Contains(page(t, in), want) {
		t.Errorf("page lacks %q", want)
	}
	in.Gonum.MainJob["lenet1"] = Epoch{Seconds: 12, SamplesPerSec: 5000, GFLOPs: 4.5, Procs: 2}
	if want := "| 75% (4.5 of 6 GFLOP/s) | ✓ "; !strings.Contains(squeeze(page(t, in)), squeeze(want)) {
		t.Errorf("page lacks %q", want)
	}
	in.Gonum.GEMM["float64/lenet1/parallel"] = Rate{GFLOPs: 6, Runs: 1, Procs: 4}
	if want := "not measured: BenchmarkGEMM/float64/lenet1/parallel ran with GOMAXPROCS 4, the epoch with 2"; !strings.Contains(page(t, in), want) {
		t.Errorf("page lacks %q", want)
	}
	// Without the main job's epoch, neither lenet1 goal falls back on
	// TrainEpoch/lenet1 (batch 64).
	in.Gonum.GEMM["float64/lenet1/parallel"] = Rate{GFLOPs: 6, Runs: 1, Procs: 2}
	in.Gonum.PerPattern["lenet1"] = Epoch{Seconds: 2, SamplesPerSec: 3000, Procs: 2}
	delete(in.Gonum.MainJob, "lenet1")
	if n := strings.Count(page(t, in), "not measured: no BenchmarkTrainMainJob/lenet1 in bench.txt"); n != 2 {
		t.Errorf("%d goals say the main job's epoch is missing, want 2", n)
	}
	in.Gonum = nil
	md = page(t, in)
	if n := strings.Count(md, "not measured: no pure-Go BLAS run"); n != 2 {
		t.Errorf("%d goals say there is no pure-Go BLAS run, want 2:\n%s", n, md)
	}
	if s := squeeze(md); strings.Contains(s, "| ✓ |") || strings.Contains(s, "| ✗ |") {
		t.Errorf("a goal is marked without Go measurements:\n%s", md)
	}

	// A net nobody measured is left out.
	in = testInput(t)
	for _, p := range Precisions {
		delete(in.Gonum.Epochs, Key{p, "lenet5"})
		delete(in.OpenBLAS.Epochs, Key{p, "lenet5"})
	}
	in.PyTorch.Results = slices.DeleteFunc(in.PyTorch.Results, func(r PyTorchResult) bool { return r.Net == "lenet5" })
	if md := page(t, in); strings.Contains(md, "## lenet5") {
		t.Errorf("page has a lenet5 table, which nobody measured:\n%s", md)
	}
}

// squeeze collapses runs of spaces, so that expectations need not follow
// the tables' column widths.
func squeeze(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

func TestParsePyTorchBroken(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"torch": "1.13"`, "not bench_pytorch.py JSON"},
		{`{"samples": 64, "results": [{"net": "lenet1", "dtype": "float64", "seconds": 1}]}`, "no torch version"},
		{`{"torch": "1", "samples": 64, "results": []}`, "no results"},
		{`{"torch": "1", "samples": 64, "results": [{"net": "lenet1", "dtype": "float64", "params": 2578, "seconds": 0}]}`, "0 seconds"},
		{`{"torch": "1", "samples": 64, "results": [{"net": "lenet1", "dtype": "float64", "params": 2577, "seconds": 1}]}`, "2577 parameters"},
	} {
		_, err := ParsePyTorch(strings.NewReader(c.in), "pt.json")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	g, pt := write("g.txt", gonumOut), write("pt.json", pytorchJSON)
	out := filepath.Join(dir, "sub", "pytorch.md")
	var stderr strings.Builder
	if err := run([]string{"-checked", "-gonum", g, "-pytorch", pt, "-out", out, "-command", "x"}, &stderr); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "Written by `x`") || !strings.Contains(string(b), "--crosscheck") {
		t.Fatalf("%v\n%s", err, b)
	}
	broken := write("broken.txt", "BenchmarkTrainEpoch/lenet1-2  1  11e9 ns/op  54\n")
	err := run([]string{"-gonum", g, "-openblas", broken, "-pytorch", pt, "-out", out}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "broken.txt:1: value \"54\" has no unit") {
		t.Errorf("broken input: %v", err)
	}
}

func TestCrossChecks(t *testing.T) {
	cs := CrossChecks()
	if len(cs) != len(Nets) {
		t.Fatalf("%d networks", len(cs))
	}
	for _, c := range cs {
		if len(c.Theta) != NetParams[c.Net] || len(c.Grad) != len(c.Theta) ||
			len(c.Labels) != crossCheckSamples || len(c.X) != crossCheckSamples*784 {
			t.Errorf("%s: %d parameters, %d gradient entries, %d labels, %d inputs", c.Net,
				len(c.Theta), len(c.Grad), len(c.Labels), len(c.X))
		}
		if !(c.Loss > 0) {
			t.Errorf("%s: loss %v", c.Net, c.Loss)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 60000: "60,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// han-lenet5's float32 goal is bounded by the LeNet-5 epoch under
// OpenBLAS: missed when the epoch alone takes more than half its float64
// time, not measured (never met) when it takes less, or when an epoch is
// missing.
func TestStudyBound(t *testing.T) {
	const goal = "han-lenet5 in float32 ≤ 0.5 × its float64 time"
	in := testInput(t)
	row := func() string {
		for _, line := range strings.Split(page(t, in), "\n") {
			if strings.HasPrefix(line, "| "+goal) {
				return squeeze(line)
			}
		}
		t.Fatalf("no row for %q", goal)
		return ""
	}
	// The test input's OpenBLAS run has no float64 LeNet-5 epoch.
	if want := "not measured: no BenchmarkTrainEpoch/lenet5 in ob.txt | – |"; !strings.Contains(row(), want) {
		t.Errorf("got %q, want it to end %q", row(), want)
	}
	in.OpenBLAS.Epochs[Key{"float64", "lenet5"}] = Epoch{Seconds: 34, Procs: 2} // 25 / 34 = 0.74
	if want := "| at least 0.74×: its epochs alone take 0.74× of their float64 time (25.00 against 34.00 s) | ✗ |"; !strings.Contains(row(), want) {
		t.Errorf("got %q, want it to end %q", row(), want)
	}
	in.OpenBLAS.Epochs[Key{"float64", "lenet5"}] = Epoch{Seconds: 60, Procs: 2} // 25 / 60 = 0.42
	if want := "| not measured: the epoch's float32/float64 ratio, 0.42×, allows it; only a timed run of the study can tell | – |"; !strings.Contains(row(), want) {
		t.Errorf("got %q, want it to end %q", row(), want)
	}
	in.OpenBLAS = nil
	if want := "| not measured: no OpenBLAS run | – |"; !strings.Contains(row(), want) {
		t.Errorf("got %q, want it to end %q", row(), want)
	}
}
