// Command roofline writes results/bench/roofline-<backend>.md from one
// benchmark file of scripts/bench.sh: each pass's GFLOP/s as a fraction of
// the matrix product rate measured in the same run, so that the page says
// how close each pass is to what the machine gives.
//
// Usage:
//
//	go run ./scripts/roofline [-out FILE] [-command TEXT] results/bench/bench-<backend>.txt
//
// The passes are the benchmarks named <Bench>/<net> (float64) or
// <Bench>/float32/<net> (float32: BenchmarkTrainEpoch/float32/<net>, a
// recipe's precision float32) that report GFLOP/s (BenchmarkForward,
// BenchmarkGradient, BenchmarkHessianDiag, BenchmarkHessianDiagFull,
// BenchmarkTrainEpoch, BenchmarkTrainMainJob, BenchmarkTrainPerPattern;
// their FLOPs are model.Net.FLOPs, the network's
// connections). The rates are BenchmarkGEMM's (package backend), in the
// pass's precision. A pass is set against:
//
//   - its network's products: BenchmarkGEMM/<precision>/<net>/parallel,
//     the products one gradient pass makes over a chunk, on GOMAXPROCS
//     goroutines like the engine's workers. This is the comparable rate:
//     what the BLAS gives on the very products the pass makes, were nothing
//     else in the pass to cost anything.
//   - the large product: BenchmarkGEMM/<precision>/1024/parallel, near the
//     machine's peak through this BLAS.
//
// Each number is the median over the file's runs (go test -count). A pass
// and the rates it is set against must have run with the same GOMAXPROCS.
// The backend named in the page and in the default output file is the
// file's "blas:" line, which scripts/bench.sh writes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"obd/internal/atomicfile"
	"obd/internal/gobench"
	"obd/report"
)

// Metric is the unit of the rates compared.
const Metric = "GFLOP/s"

// PeakShape is the BenchmarkGEMM shape taken for the machine's peak.
const PeakShape = "1024"

// Pass is one pass benchmark on one network: medians over its runs.
type Pass struct {
	Bench, Net    string // "Gradient", "lenet1"
	Precision     string // "float64", or "float32" for <Bench>/float32/<net>
	Procs, Runs   int
	SamplesPerSec float64 // 0 when not reported
	GFLOPs        float64
}

// GEMM is one BenchmarkGEMM result: medians over its runs.
type GEMM struct {
	Precision, Shape, Mode string // "float64", "lenet1" or "1024", "serial" or "parallel"
	Procs, Runs            int
	GFLOPs                 float64
}

// Row is a pass and the rates it is set against (0: not measured).
type Row struct {
	Pass
	NetGEMM, PeakGEMM float64
}

// Table is what the page shows.
type Table struct {
	Backend string
	CPU     string
	Rows    []Row
	GEMMs   []GEMM
}

type sample struct {
	name    string
	first   int // line of the first result, for messages
	procs   int
	runs    int
	gflops  []float64
	samples []float64
}

// Build reads the passes and the GEMM rates of f and pairs them. It is an
// error if f has no pass reporting GFLOP/s or no BenchmarkGEMM result, or if
// a pass ran with a GOMAXPROCS for which its network's GEMM rate was not
// measured.
func Build(f *gobench.File) (*Table, error) {
	passes, gemms := map[string]*sample{}, map[string]*sample{}
	var passKeys, gemmKeys []string
	for _, r := range f.Results {
		g, ok := r.Values[Metric]
		if !ok {
			continue
		}
		parts := strings.Split(r.Name, "/")
		m, keys := passes, &passKeys
		switch {
		case parts[0] == "GEMM" && len(parts) == 4:
			m, keys = gemms, &gemmKeys
		case parts[0] == "GEMM" || !(len(parts) == 2 || len(parts) == 3 && parts[1] == "float32"):
			return nil, fmt.Errorf("%s:%d: %s reports %s but is neither <Bench>/<net>, <Bench>/float32/<net> nor GEMM/<precision>/<shape>/<mode>", f.Name, r.Line, r.Name, Metric)
		}
		k := r.Name + "-" + strconv.Itoa(r.Procs)
		s := m[k]
		if s == nil {
			s = &sample{name: r.Name, first: r.Line, procs: r.Procs}
			m[k] = s
			*keys = append(*keys, k)
		}
		s.runs++
		s.gflops = append(s.gflops, g)
		if v, ok := r.Values["samples/s"]; ok {
			s.samples = append(s.samples, v)
		}
	}
	if len(passKeys) == 0 {
		return nil, fmt.Errorf("%s: no pass reports %s (BenchmarkForward/<net> and the others; is the file older than model.Net.FLOPs?)", f.Name, Metric)
	}
	if len(gemmKeys) == 0 {
		return nil, fmt.Errorf("%s: no BenchmarkGEMM results (go test -run '^$' -bench GEMM ./backend/)", f.Name)
	}
	t := &Table{Backend: f.Config["blas"], CPU: f.Config["cpu"]}
	rate := map[string]float64{}
	for _, k := range gemmKeys {
		s := gemms[k]
		p := strings.Split(s.name, "/")
		g := GEMM{Precision: p[1], Shape: p[2], Mode: p[3], Procs: s.procs, Runs: s.runs, GFLOPs: gobench.Median(s.gflops)}
		t.GEMMs = append(t.GEMMs, g)
		rate[k] = g.GFLOPs
	}
	for _, k := range passKeys {
		s := passes[k]
		bench, net, _ := strings.Cut(s.name, "/")
		prec := "float64"
		if p, n, ok := strings.Cut(net, "/"); ok {
			prec, net = p, n
		}
		row := Row{Pass: Pass{Bench: bench, Net: net, Precision: prec, Procs: s.procs, Runs: s.runs, GFLOPs: gobench.Median(s.gflops)}}
		if len(s.samples) == s.runs {
			row.SamplesPerSec = gobench.Median(s.samples)
		}
		suffix := "/parallel-" + strconv.Itoa(s.procs)
		var ok bool
		if row.NetGEMM, ok = rate["GEMM/"+prec+"/"+net+suffix]; !ok {
			return nil, fmt.Errorf("%s:%d: %s ran with GOMAXPROCS %d, but there is no BenchmarkGEMM/%s/%s/parallel with it", f.Name, s.first, s.name, s.procs, prec, net)
		}
		row.PeakGEMM = rate["GEMM/"+prec+"/"+PeakShape+suffix]
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// fmtRate writes a rate with three significant digits.
func fmtRate(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// fmtFrac writes a/b as a percentage, or "–" when b was not measured.
func fmtFrac(a, b float64) string {
	if b <= 0 {
		return "–"
	}
	return strconv.FormatFloat(100*a/b, 'f', 0, 64) + "%"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// WriteMarkdown writes the page: the passes against the rates, then the
// rates.
func WriteMarkdown(w io.Writer, t *Table, command string) error {
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	pf("# Each pass against the machine's matrix product rate (%s)\n\n", orDash(t.Backend))
	pf("Written by `%s`. CPU: %s.\n\n", command, orDash(t.CPU))
	pf("A pass's GFLOP/s count the network's work, not the products executed: 2 FLOPs per connection "+
		"forward, 2 per connection for the weight gradients and 2 per non-bias connection of every layer "+
		"but the first for the input derivatives (model.Net.FLOPs; the LM Hessian pass counts as the gradient "+
		"pass, a training step as a gradient pass over its minibatch). The rates are BenchmarkGEMM's (package "+
		"backend), 2·m·n·k FLOPs per product, in the pass's precision (float64 unless the pass says float32), on GOMAXPROCS goroutines like the "+
		"engine's workers. *Own products* is the rate on the products one gradient pass of the network makes "+
		"over a chunk (the comparable rate: what the BLAS gives on those very products); *%s³* is a large "+
		"product, near the machine's peak. Medians over runs. Where a network's products do work its count "+
		"leaves out, its ceiling is below 100%% of its own products: lenet1's h3 multiplies its dense kernel "+
		"matrix, zero kernels included, and its products execute 1.5× the FLOPs its gradient pass counts "+
		"(backend.TestNetProductsFLOPs).\n\n", PeakShape)
	var rows [][]string
	for _, r := range t.Rows {
		sps := "–"
		if r.SamplesPerSec > 0 {
			sps = strconv.FormatFloat(r.SamplesPerSec, 'f', 0, 64)
		}
		peak := "not measured"
		if r.PeakGEMM > 0 {
			peak = fmtRate(r.PeakGEMM)
		}
		pass := "Benchmark" + r.Bench
		if r.Precision != "float64" {
			pass += " (" + r.Precision + ")"
		}
		rows = append(rows, []string{pass, r.Net, strconv.Itoa(r.Procs), strconv.Itoa(r.Runs), sps,
			fmtRate(r.GFLOPs), fmtRate(r.NetGEMM), fmtFrac(r.GFLOPs, r.NetGEMM), peak, fmtFrac(r.GFLOPs, r.PeakGEMM)})
	}
	if err := report.MarkdownTable(&b, []string{"pass", "net", "GOMAXPROCS", "runs", "samples/s", "GFLOP/s",
		"own products GFLOP/s", "of own products", PeakShape + "³ GFLOP/s", "of " + PeakShape + "³"}, rows); err != nil {
		return err
	}
	pf("\n## Matrix product rates (BenchmarkGEMM)\n\n")
	pf("float64 through the backend's blas64; float32 through gonum's blas32 (pure Go), or OpenBLAS's sgemm " +
		"under `-tags openblas`. *serial*: one goroutine; *parallel*: GOMAXPROCS goroutines, each its own " +
		"products. A network's shape is the sequence of products of one gradient pass over a chunk.\n\n")
	rows = nil
	for _, g := range t.GEMMs {
		shape := g.Shape
		if _, err := strconv.Atoi(shape); err == nil {
			shape += "³"
		} else {
			shape += "'s products"
		}
		rows = append(rows, []string{g.Precision, shape, g.Mode, strconv.Itoa(g.Procs), strconv.Itoa(g.Runs), fmtRate(g.GFLOPs)})
	}
	if err := report.MarkdownTable(&b, []string{"precision", "shape", "mode", "GOMAXPROCS", "runs", "GFLOP/s"}, rows); err != nil {
		return err
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("roofline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the page to write (default: roofline-<backend>.md beside the input)")
	command := fs.String("command", "", "the command named on the page (default: this one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one benchmark file, got %d arguments", fs.NArg())
	}
	in := fs.Arg(0)
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	f, err := gobench.Parse(bytes.NewReader(data), in)
	if err != nil {
		return err
	}
	t, err := Build(f)
	if err != nil {
		return err
	}
	if *out == "" {
		if t.Backend == "" {
			return fmt.Errorf("%s: no \"blas:\" line to name the output by: give -out", in)
		}
		*out = filepath.Join(filepath.Dir(in), "roofline-"+t.Backend+".md")
	}
	if *command == "" {
		*command = strings.Join(append([]string{"go run ./scripts/roofline"}, args...), " ")
	}
	err = atomicfile.WriteFunc(*out, func(b *bytes.Buffer) error { return WriteMarkdown(b, t, *command) })
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "wrote", *out)
	return nil
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "roofline:", err)
		os.Exit(1)
	}
}
