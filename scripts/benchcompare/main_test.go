package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"obd/internal/gobench"
)

const gonumOut = `goos: linux
goarch: amd64
pkg: obd/train
cpu: AMD EPYC
BenchmarkTrainEpoch/lenet1-2         	       1	11000000000 ns/op	      5454 samples/s
BenchmarkTrainEpoch/lenet300-2       	       1	 6000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 8000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 7000000000 ns/op
BenchmarkTrainEpoch/lenet5-2         	       1	90000000000 ns/op	       667 samples/s	  1234 B/op
BenchmarkTrainEpoch/float32/lenet1-2 	       1	 5000000000 ns/op	     12000 samples/s
BenchmarkTrainEpoch/float32/lenet5-4 	       1	30000000000 ns/op	      2000 samples/s
BenchmarkOther-2                     	     100	     12345 ns/op
some log line: with a colon
PASS
ok  	obd/train	123.456s
`

func parse(t *testing.T, s string) *gobench.File {
	t.Helper()
	f, err := gobench.Parse(strings.NewReader(s), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TrainEpochs reads the TrainEpoch results of a benchmark file (its
// parsing is tested in internal/gobench).
func TestTrainEpochs(t *testing.T) {
	f := parse(t, gonumOut)
	ep, err := TrainEpochs(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ep) != 3 { // the float32 epochs are left out
		t.Fatalf("epochs %v", ep)
	}
	if e := ep["lenet1"]; e.Seconds != 11 || e.SamplesPerSec != 5454 || e.Runs != 1 || e.Procs != 2 {
		t.Errorf("lenet1 %+v", e)
	}
	// Median of three runs; no samples/s metric: computed from 60,000.
	if e := ep["lenet300"]; e.Seconds != 7 || e.Runs != 3 || e.SamplesPerSec != EpochSamples/7.0 {
		t.Errorf("lenet300 %+v", e)
	}
}

func TestTrainEpochsBroken(t *testing.T) {
	// Parses, but has no TrainEpoch results.
	for _, in := range []string{"", "PASS\nok obd/train 0.1s\n", "BenchmarkOther-2 1 1 ns/op\n"} {
		f := parse(t, in)
		if _, err := TrainEpochs(f); err == nil || !strings.Contains(err.Error(), "no BenchmarkTrainEpoch/<net> results") {
			t.Errorf("%q: error %v", in, err)
		}
	}
	f := parse(t, "BenchmarkTrainEpoch/lenet1-2 1 1 ns/op\nBenchmarkTrainEpoch/lenet1-4 1 1 ns/op\n")
	if _, err := TrainEpochs(f); err == nil || !strings.Contains(err.Error(), "GOMAXPROCS 2 and 4") {
		t.Errorf("mixed procs: error %v", err)
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
  {"net": "lenet300", "dtype": "float64", "params": 266610, "seconds": 0.5}
 ]}`

func TestWriteMarkdown(t *testing.T) {
	p, err := ParsePyTorch(strings.NewReader(pytorchJSON), "pt.json")
	if err != nil {
		t.Fatal(err)
	}
	gf := parse(t, gonumOut)
	g, err := TrainEpochs(gf)
	if err != nil {
		t.Fatal(err)
	}
	ob, err := TrainEpochs(parse(t, "BenchmarkTrainEpoch/lenet300-2 1 2000000000 ns/op\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{Command: "scripts/bench_compare.sh", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC),
		Gonum: g, GonumConfig: gf.Config, OpenBLAS: ob, PyTorch: p}
	var b strings.Builder
	if err := WriteMarkdown(&b, in); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	// PyTorch ran 6000 samples: scaled ×10 to an epoch. lenet1: Go 11 s
	// against 12 s; lenet300: gonum 7 s, OpenBLAS 2 s against 5 s.
	for _, want := range []string{
		"Written by `scripts/bench_compare.sh` on 2026-01-02 03:04 UTC.",
		"PyTorch 1.13.0a0", "`torch.set_num_threads(2)`", "OPENBLAS_NUM_THREADS=2", "float64",
		"GOMAXPROCS 2", "CPU: AMD EPYC", "It ran 6,000 samples per epoch; its seconds are scaled to 60,000.",
		"| Go, pure-Go BLAS (gonum) | 11.00           | 5454        | 0.92×",
		"| PyTorch, float64         | 12.00 ",
		"| PyTorch, float32         | 10.00 ",
		"| Go, OpenBLAS             | not measured    |",
		"| lenet300 epoch, Go with OpenBLAS ≤ 0.5 × PyTorch             | 0.40×        | ✓   |",
		"| lenet300 epoch, Go with pure-Go BLAS (gonum) ≤ 1.5 × PyTorch | 1.40×        | ✓   |",
		"| lenet1 epoch, Go with pure-Go BLAS (gonum) ≤ 1 × PyTorch     | 0.92×        | ✓   |",
		"| lenet1 epoch, Go with OpenBLAS ≤ 1 × PyTorch                 | not measured | –   |",
		"## lenet5 (431080 parameters)",
		"Debian python3-torch 1.13.1+dfsg-4", "OMP_WAIT_POLICY=passive", "libraries loaded: libopenblas.so.0.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("page lacks %q:\n%s", want, md)
		}
	}
	// Only Go measured lenet5 (gonumOut); a net nobody measured is left out.
	delete(in.Gonum, "lenet5")
	b.Reset()
	if err := WriteMarkdown(&b, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "lenet5") {
		t.Errorf("page names lenet5, which nobody measured:\n%s", b.String())
	}
	// A goal missed.
	in.Gonum["lenet1"] = Epoch{Seconds: 13, SamplesPerSec: 1, Procs: 2}
	b.Reset()
	if err := WriteMarkdown(&b, in); err != nil {
		t.Fatal(err)
	}
	if want := "| lenet1 epoch, Go with pure-Go BLAS (gonum) ≤ 1 × PyTorch     | 1.08×        | ✗   |"; !strings.Contains(b.String(), want) {
		t.Errorf("page lacks %q:\n%s", want, b.String())
	}
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
