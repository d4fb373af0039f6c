package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"obd/internal/gobench"
)

// bench is a synthetic scripts/bench.sh file: three runs of a pass, one of
// another, benchmarks without GFLOP/s (skipped), and the GEMM rates.
const bench = `blas: gonum
goos: linux
goarch: amd64
pkg: obd/model
cpu: Test CPU
BenchmarkForward/lenet1-2    50  20000000 ns/op  3.0 GFLOP/s  12000 samples/s
BenchmarkForward/lenet1-2    50  20000000 ns/op  1.0 GFLOP/s  13000 samples/s
BenchmarkForward/lenet1-2    50  20000000 ns/op  2.0 GFLOP/s  14000 samples/s
BenchmarkTrainEpoch/lenet5-2  1  90000000000 ns/op  8.8 GFLOP/s  667 samples/s
BenchmarkTrainEpoch/float32/lenet5-2  1  40000000000 ns/op  11 GFLOP/s  1500 samples/s
PASS
ok  	obd/model	35.104s
pkg: obd/prune
BenchmarkSaliency/lenet1-2    10  30000000 ns/op  8000 samples/s
BenchmarkDenseInference/lenet1    10  30000000 ns/op  8000 samples/s
pkg: obd/backend
BenchmarkGEMM/float64/lenet1/serial-2     100  3000000 ns/op  3.5 GFLOP/s
BenchmarkGEMM/float64/lenet1/parallel-2   100  3000000 ns/op  4 GFLOP/s
BenchmarkGEMM/float64/lenet1/parallel-2   100  3000000 ns/op  6 GFLOP/s
BenchmarkGEMM/float64/lenet5/parallel-2   100  3000000 ns/op  11 GFLOP/s
BenchmarkGEMM/float64/1024/parallel-2     5  300000000 ns/op  10 GFLOP/s
BenchmarkGEMM/float32/1024/parallel-2     5  300000000 ns/op  20 GFLOP/s
BenchmarkGEMM/float32/lenet5/parallel-2   100  3000000 ns/op  22 GFLOP/s
`

func parse(t *testing.T, s string) *gobench.File {
	t.Helper()
	f, err := gobench.Parse(strings.NewReader(s), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBuild(t *testing.T) {
	tb, err := Build(parse(t, bench))
	if err != nil {
		t.Fatal(err)
	}
	if tb.Backend != "gonum" || tb.CPU != "Test CPU" {
		t.Errorf("backend %q, cpu %q", tb.Backend, tb.CPU)
	}
	want := []Row{
		{Pass{"Forward", "lenet1", "float64", 2, 3, 13000, 2}, 5, 10},
		{Pass{"TrainEpoch", "lenet5", "float64", 2, 1, 667, 8.8}, 11, 10},
		{Pass{"TrainEpoch", "lenet5", "float32", 2, 1, 1500, 11}, 22, 20}, // against the float32 rates
	}
	if len(tb.Rows) != len(want) {
		t.Fatalf("rows %+v", tb.Rows)
	}
	for i, r := range tb.Rows {
		if r != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, r, want[i])
		}
	}
	if len(tb.GEMMs) != 6 || tb.GEMMs[1] != (GEMM{"float64", "lenet1", "parallel", 2, 2, 5}) {
		t.Errorf("GEMMs %+v", tb.GEMMs)
	}
}

// cells returns the cells of the Markdown table row that begins with first.
func cells(t *testing.T, page, first string) []string {
	t.Helper()
	for _, line := range strings.Split(page, "\n") {
		f := strings.Split(strings.Trim(line, "| "), "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if f[0] == first {
			return f
		}
	}
	t.Fatalf("no row %q in\n%s", first, page)
	return nil
}

func TestWriteMarkdown(t *testing.T) {
	tb, err := Build(parse(t, bench))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, tb, "cmd"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// median 2 GFLOP/s of an own-products rate of median(4, 6) = 5 and a
	// 1024³ rate of 10.
	got := strings.Join(cells(t, page, "BenchmarkForward"), " ; ")
	want := "BenchmarkForward ; lenet1 ; 2 ; 3 ; 13000 ; 2 ; 5 ; 40% ; 10 ; 20%"
	if got != want {
		t.Errorf("row\n got %s\nwant %s", got, want)
	}
	if got := cells(t, page, "BenchmarkTrainEpoch")[7]; got != "80%" {
		t.Errorf("TrainEpoch of own products %s, want 80%%", got)
	}
	if got := strings.Join(cells(t, page, "BenchmarkTrainEpoch (float32)"), " ; "); got != "BenchmarkTrainEpoch (float32) ; lenet5 ; 2 ; 1 ; 1500 ; 11 ; 22 ; 50% ; 20 ; 55%" {
		t.Errorf("float32 TrainEpoch row %s", got)
	}
	if got := strings.Join(cells(t, page, "float32"), " ; "); got != "float32 ; 1024³ ; parallel ; 2 ; 1 ; 20" {
		t.Errorf("float32 row %s", got)
	}
	for _, s := range []string{"(gonum)", "Written by `cmd`", "CPU: Test CPU", "lenet1's products"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q:\n%s", s, page)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	gemm := "BenchmarkGEMM/float64/lenet1/parallel-2 1 1 ns/op 4 GFLOP/s\n"
	for _, c := range []struct{ name, in, want string }{
		{"no pass", gemm, "no pass reports GFLOP/s"},
		{"no GEMM", "BenchmarkForward/lenet1-2 1 1 ns/op 2 GFLOP/s\n", "no BenchmarkGEMM results"},
		{"other procs", gemm + "BenchmarkForward/lenet1-4 1 1 ns/op 2 GFLOP/s\n",
			"bench.txt:2: Forward/lenet1 ran with GOMAXPROCS 4, but there is no BenchmarkGEMM/float64/lenet1/parallel with it"},
		{"other net", gemm + "BenchmarkForward/lenet5-2 1 1 ns/op 2 GFLOP/s\n", "no BenchmarkGEMM/float64/lenet5/parallel"},
		{"bad name", gemm + "BenchmarkForward-2 1 1 ns/op 2 GFLOP/s\n", "bench.txt:2: Forward reports GFLOP/s but is neither"},
		{"bad GEMM name", gemm + "BenchmarkGEMM/float64/lenet1-2 1 1 ns/op 2 GFLOP/s\n", "bench.txt:2: GEMM/float64/lenet1 reports"},
		{"float32 without its rate", gemm + "BenchmarkTrainEpoch/float32/lenet1-2 1 1 ns/op 2 GFLOP/s\n", "no BenchmarkGEMM/float32/lenet1/parallel"},
		{"unknown precision", gemm + "BenchmarkTrainEpoch/float16/lenet1-2 1 1 ns/op 2 GFLOP/s\n", "bench.txt:2: TrainEpoch/float16/lenet1 reports GFLOP/s but is neither"},
	} {
		_, err := Build(parse(t, c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bench-gonum.txt")
	if err := os.WriteFile(in, []byte(bench), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if err := run([]string{in}, &stderr); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "roofline-gonum.md"))
	if err != nil || !strings.Contains(string(b), "Written by `go run ./scripts/roofline "+in+"`") {
		t.Fatalf("%v\n%s", err, b)
	}
	noBLAS := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(noBLAS, []byte(strings.TrimPrefix(bench, "blas: gonum\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{noBLAS}, &stderr); err == nil || !strings.Contains(err.Error(), "give -out") {
		t.Errorf("no blas line: %v", err)
	}
	out := filepath.Join(dir, "sub", "r.md")
	if err := run([]string{"-out", out, "-command", "c", noBLAS}, &stderr); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "(–)") {
		t.Errorf("%v\n%s", err, b)
	}
	if err := run(nil, &stderr); err == nil {
		t.Error("no arguments: no error")
	}
}
