package gobench

import (
	"strings"
	"testing"
)

const out = `goos: linux
goarch: amd64
pkg: obd/train
cpu: AMD EPYC
BenchmarkTrainEpoch/lenet1-2         	       1	11000000000 ns/op	      5454 samples/s
BenchmarkTrainEpoch/lenet300-2       	       1	 6000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 8000000000 ns/op
BenchmarkTrainEpoch/lenet300-2       	       1	 7000000000 ns/op
BenchmarkTrainEpoch/lenet5-2         	       1	90000000000 ns/op	       667 samples/s	  1234 B/op
BenchmarkOther-2                     	     100	     12345 ns/op
some log line: with a colon
PASS
ok  	obd/train	123.456s
`

func parse(t *testing.T, s string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(s), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParse(t *testing.T) {
	f := parse(t, out)
	if got := len(f.Results); got != 6 {
		t.Fatalf("%d results, want 6", got)
	}
	r := f.Results[0]
	if r.Name != "TrainEpoch/lenet1" || r.Procs != 2 || r.Iters != 1 || r.Values["ns/op"] != 11e9 || r.Values["samples/s"] != 5454 || r.Line != 5 {
		t.Errorf("first result %+v", r)
	}
	if f.Config["cpu"] != "AMD EPYC" || f.Config["pkg"] != "obd/train" {
		t.Errorf("config %v", f.Config)
	}
}

func TestParseNoProcsSuffix(t *testing.T) {
	f := parse(t, "BenchmarkTrainEpoch/lenet1 1 2000000000 ns/op\nBenchmarkTrainEpoch/lenet-x-4 1 1 ns/op\n")
	if r := f.Results[0]; r.Name != "TrainEpoch/lenet1" || r.Procs != 1 {
		t.Errorf("%+v", r)
	}
	if r := f.Results[1]; r.Name != "TrainEpoch/lenet-x" || r.Procs != 4 {
		t.Errorf("%+v", r)
	}
}

func TestParseBroken(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"value", "BenchmarkTrainEpoch/lenet1-2  1  abc ns/op\n", `bench.txt:1: value "abc" (unit "ns/op") is not a non-negative number`},
		{"no unit", "pkg: x\nBenchmarkTrainEpoch/lenet1-2  1  1100\n", `bench.txt:2: value "1100" has no unit`},
		{"iterations", "BenchmarkTrainEpoch/lenet1-2  one  1100 ns/op\n", `iteration count "one" is not a positive integer`},
		{"no ns/op", "BenchmarkTrainEpoch/lenet1-2  1  5454 samples/s\n", "no ns/op measurement"},
		{"truncated", "BenchmarkTrainEpoch/lenet1-2  1\n", "no measurements after the iteration count"},
		{"fail", "BenchmarkTrainEpoch/lenet1-2  1  1 ns/op\n--- FAIL: BenchmarkTrainEpoch/lenet5\n", "bench.txt:2: the benchmark failed"},
		{"FAIL", "FAIL\tobd/train\t1.0s\n", "the benchmark failed"},
		{"panic", "panic: runtime error\n", "the benchmark failed"},
	} {
		_, err := Parse(strings.NewReader(c.in), "bench.txt")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		in := append([]float64(nil), c.v...)
		if got := Median(c.v); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", in, got, c.want)
		}
		for i := range in {
			if in[i] != c.v[i] {
				t.Errorf("Median modified its argument: %v", c.v)
			}
		}
	}
}
