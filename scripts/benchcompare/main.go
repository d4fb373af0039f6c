// Command benchcompare writes results/bench/pytorch.md: the seconds per
// training epoch of the Go harness (BenchmarkTrainEpoch, pure-Go BLAS and
// OpenBLAS) beside PyTorch's (scripts/bench_pytorch.py), per network, with
// the ratios and the goals of issue #6 checked. scripts/bench_compare.sh runs
// the benchmarks and then this.
//
// Usage:
//
//	go run ./scripts/benchcompare -gonum FILE -openblas FILE -pytorch FILE.json
//	    [-out results/bench/pytorch.md] [-command 'how the inputs were made']
//	go run ./scripts/benchcompare -crosscheck FILE.json
//
// -gonum and -openblas are `go test -bench` outputs (either may be omitted:
// its rows then read "not measured"); -pytorch is bench_pytorch.py's
// --json output. -crosscheck writes, instead, the harness's objective and
// gradient of each network at fixed parameters and inputs, which
// `bench_pytorch.py --crosscheck FILE.json` reproduces in PyTorch: the check
// that both sides time the same networks.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"obd/internal/gobench"
	"obd/report"
)

// EpochSamples is the samples in one op of BenchmarkTrainEpoch and in one
// epoch of the comparison: MNIST's training set.
const EpochSamples = 60000

// Nets are the networks compared, in table order.
var Nets = []string{"lenet1", "lenet300", "lenet5"}

// NetParams are their free parameters (go run ./experiments -describe).
var NetParams = map[string]int{"lenet1": 2578, "lenet300": 266610, "lenet5": 431080}

// Epoch is the Go training epoch of one network: the median over the
// result lines (go test -count) of seconds per op.
type Epoch struct {
	Seconds       float64
	SamplesPerSec float64 // the benchmark's samples/s if it reports one, else EpochSamples/Seconds
	Runs, Procs   int
}

// TrainEpochs picks the BenchmarkTrainEpoch/<net> results of f, by net (the
// first name element after TrainEpoch/): the float64 epochs. The float32
// ones, BenchmarkTrainEpoch/float32/<net>, are left out. It is an error if
// there are none.
func TrainEpochs(f *gobench.File) (map[string]Epoch, error) {
	secs := map[string][]float64{}
	rates := map[string][]float64{}
	procs := map[string]int{}
	for _, r := range f.Results {
		rest, ok := strings.CutPrefix(r.Name, "TrainEpoch/")
		if !ok {
			continue
		}
		net, _, _ := strings.Cut(rest, "/")
		if net == "float32" {
			continue // BenchmarkTrainEpoch/float32/<net>: a recipe's precision float32
		}
		if net == "" {
			return nil, fmt.Errorf("%s:%d: no network in benchmark name %q", f.Name, r.Line, r.Name)
		}
		if p, seen := procs[net]; seen && p != r.Procs {
			return nil, fmt.Errorf("%s:%d: %s ran with GOMAXPROCS %d and %d: run one -cpu value", f.Name, r.Line, net, p, r.Procs)
		}
		procs[net] = r.Procs
		secs[net] = append(secs[net], r.Values["ns/op"]/1e9)
		if v, ok := r.Values["samples/s"]; ok {
			rates[net] = append(rates[net], v)
		}
	}
	if len(secs) == 0 {
		return nil, fmt.Errorf("%s: no BenchmarkTrainEpoch/<net> results (did the benchmark run?)", f.Name)
	}
	out := map[string]Epoch{}
	for net, s := range secs {
		e := Epoch{Seconds: gobench.Median(s), Runs: len(s), Procs: procs[net]}
		if e.Seconds <= 0 {
			return nil, fmt.Errorf("%s: %s: %v seconds per epoch", f.Name, net, e.Seconds)
		}
		if len(rates[net]) == len(s) {
			e.SamplesPerSec = gobench.Median(rates[net])
		} else {
			e.SamplesPerSec = EpochSamples / e.Seconds
		}
		out[net] = e
	}
	return out, nil
}

// PyTorch is the JSON that scripts/bench_pytorch.py writes (the fields used).
type PyTorch struct {
	Command       string            `json:"command"`
	Date          string            `json:"date"`
	Torch         string            `json:"torch"`
	TorchPackage  string            `json:"torch_package"`
	Python        string            `json:"python"`
	Threads       int               `json:"threads"`
	BLASThreads   int               `json:"blas_threads"`
	Env           map[string]string `json:"env"`
	BLASLibraries []string          `json:"blas_libraries"`
	CPU           string            `json:"cpu"`
	NProc         int               `json:"nproc"`
	LoadStart     []float64         `json:"loadavg_start"`
	LoadEnd       []float64         `json:"loadavg_end"`
	Data          string            `json:"data"`
	Batch         int               `json:"batch"`
	Samples       int               `json:"samples"`
	Momentum      float64           `json:"momentum"`
	Warmup        int               `json:"warmup_batches"`
	Repeat        int               `json:"repeat"`
	Results       []PyTorchResult   `json:"results"`
}

// PyTorchResult is one (net, dtype) measurement.
type PyTorchResult struct {
	Net           string  `json:"net"`
	DType         string  `json:"dtype"`
	Params        int     `json:"params"`
	LR            float64 `json:"lr"`
	Seconds       float64 `json:"seconds"`
	SamplesPerSec float64 `json:"samples_per_s"`
	LossFirst     float64 `json:"loss_first"`
	LossLast      float64 `json:"loss_last"`
	LossDecreased bool    `json:"loss_decreased"`
}

// ParsePyTorch reads and checks bench_pytorch.py's JSON.
func ParsePyTorch(r io.Reader, name string) (*PyTorch, error) {
	var p PyTorch
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not bench_pytorch.py JSON: %v", name, err)
	}
	switch {
	case p.Torch == "":
		return nil, fmt.Errorf("%s: no torch version", name)
	case p.Samples < 1:
		return nil, fmt.Errorf("%s: samples %d", name, p.Samples)
	case len(p.Results) == 0:
		return nil, fmt.Errorf("%s: no results", name)
	}
	seen := map[string]bool{}
	for i, r := range p.Results {
		k := r.Net + " " + r.DType
		switch {
		case r.Net == "" || r.DType == "":
			return nil, fmt.Errorf("%s: result %d has no net or dtype", name, i)
		case !(r.Seconds > 0) || math.IsInf(r.Seconds, 0):
			return nil, fmt.Errorf("%s: %s: %v seconds", name, k, r.Seconds)
		case seen[k]:
			return nil, fmt.Errorf("%s: %s measured twice", name, k)
		}
		if want, ok := NetParams[r.Net]; ok && r.Params != want {
			return nil, fmt.Errorf("%s: %s has %d parameters, the harness's has %d", name, r.Net, r.Params, want)
		}
		seen[k] = true
	}
	return &p, nil
}

// epochSeconds is the PyTorch seconds of net in dtype, scaled to
// EpochSamples if the run used fewer samples; ok is false when not measured.
func (p *PyTorch) epochSeconds(net, dtype string) (float64, bool) {
	for _, r := range p.Results {
		if r.Net == net && r.DType == dtype {
			return r.Seconds * EpochSamples / float64(p.Samples), true
		}
	}
	return 0, false
}

// Input is everything the page shows.
type Input struct {
	Command        string
	Date           time.Time
	Gonum          map[string]Epoch // nil: not measured
	OpenBLAS       map[string]Epoch
	GonumConfig    map[string]string
	OpenBLASConfig map[string]string
	PyTorch        *PyTorch
	CrossChecked   bool // bench_pytorch.py --crosscheck passed
}

// Goal is one of issue #6's targets: Go's epoch at most Max times PyTorch's
// float64 epoch.
type Goal struct {
	Net, Backend string // Backend: "gonum" or "openblas"
	Max          float64
}

// Goals are issue #6's.
var Goals = []Goal{
	{"lenet300", "openblas", 0.5},
	{"lenet300", "gonum", 1.5},
	{"lenet1", "gonum", 1},
	{"lenet1", "openblas", 1},
}

var backendName = map[string]string{"gonum": "pure-Go BLAS (gonum)", "openblas": "OpenBLAS"}

func fmtSec(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) }
func fmtRate(r float64) string {
	return strconv.FormatFloat(r, 'f', 0, 64)
}
func fmtRatio(r float64) string { return strconv.FormatFloat(r, 'f', 2, 64) + "×" }

func (in *Input) goEpoch(backend, net string) (Epoch, bool) {
	m := in.Gonum
	if backend == "openblas" {
		m = in.OpenBLAS
	}
	e, ok := m[net]
	return e, ok
}

// measured reports whether any run measured net.
func (in *Input) measured(net string) bool {
	for _, be := range []string{"gonum", "openblas"} {
		if _, ok := in.goEpoch(be, net); ok {
			return true
		}
	}
	for _, r := range in.PyTorch.Results {
		if r.Net == net {
			return true
		}
	}
	return false
}

// WriteMarkdown writes the page: a table per network measured, then the goals.
func WriteMarkdown(w io.Writer, in *Input) error {
	p := in.PyTorch
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	pf("# One training epoch: the Go harness against PyTorch\n\n")
	pf("Written by `%s` on %s.\n\n", in.Command, in.Date.UTC().Format("2006-01-02 15:04 MST"))
	pf("One epoch is one pass over %s samples in batches of %d, SGD with momentum %g, "+
		"lower is better. The ratios are Go's seconds over PyTorch's float64 seconds, "+
		"the harness computing in float64: below 1, Go is faster.\n\n", thousands(EpochSamples), p.Batch, p.Momentum)
	goProcs := map[int]bool{}
	for _, m := range []map[string]Epoch{in.Gonum, in.OpenBLAS} {
		for _, e := range m {
			goProcs[e.Procs] = true
		}
	}
	var procs []string
	for n := range goProcs {
		procs = append(procs, strconv.Itoa(n))
	}
	slices.Sort(procs)
	cfg := in.GonumConfig
	if cfg == nil {
		cfg = in.OpenBLASConfig
	}
	pf("- Go: `BenchmarkTrainEpoch` of `./train/` (`go test -run '^$' -bench TrainEpoch -benchtime=1x`), "+
		"float64, GOMAXPROCS %s workers, 60,000 random images (nettest.Random), one op = one epoch, median over runs; "+
		"pure-Go BLAS (gonum) and OpenBLAS (`-tags openblas`, BLAS single-threaded inside each worker).",
		orDash(strings.Join(procs, ", ")))
	if c := cfg["cpu"]; c != "" {
		pf(" CPU: %s.", c)
	}
	pf("\n")
	pkg := ""
	if p.TorchPackage != "" {
		pkg = ", Debian python3-torch " + p.TorchPackage
	}
	var libs []string
	for _, l := range p.BLASLibraries {
		libs = append(libs, filepath.Base(l))
	}
	pf("- PyTorch %s (Python %s%s), float64 (float32 as an extra row), `torch.set_num_threads(%d)`, "+
		"OMP_NUM_THREADS=%s, OPENBLAS_NUM_THREADS=%s", p.Torch, p.Python, pkg, p.Threads,
		orDash(p.Env["OMP_NUM_THREADS"]), orDash(p.Env["OPENBLAS_NUM_THREADS"]))
	for _, k := range []string{"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"} {
		if v, ok := p.Env[k]; ok {
			pf(", %s=%s", k, v)
		}
	}
	pf("; BLAS and OpenMP libraries loaded: %s. `%s`.\n", orDash(strings.Join(libs, ", ")), p.Command)
	data := p.Data
	if strings.HasPrefix(data, "mnist:") {
		data = "the MNIST training images"
	}
	pf("- PyTorch data: %s; %d warm-up batches excluded; median of %d timed epochs per row; run started %s.",
		data, p.Warmup, p.Repeat, orDash(p.Date))
	if p.Samples != EpochSamples {
		pf(" **It ran %s samples per epoch; its seconds are scaled to %s.**", thousands(p.Samples), thousands(EpochSamples))
	}
	pf("\n")
	if in.CrossChecked {
		pf("- Same networks: before timing, PyTorch reproduced the harness's summed objective and its gradient " +
			"at fixed parameters and inputs to 1e-10 relative, for every network (`bench_pytorch.py --crosscheck`).\n")
	}
	if len(p.LoadStart) == 3 {
		pf("- Load average (1, 5, 15 min) on %d cores when PyTorch started: %.2f, %.2f, %.2f", p.NProc,
			p.LoadStart[0], p.LoadStart[1], p.LoadStart[2])
		if len(p.LoadEnd) == 3 {
			pf("; when it ended: %.2f, %.2f, %.2f", p.LoadEnd[0], p.LoadEnd[1], p.LoadEnd[2])
		}
		pf(". A load above the core count makes every number here noisy.\n")
	}
	for _, net := range Nets {
		if !in.measured(net) {
			continue
		}
		pf("\n## %s (%d parameters)\n\n", net, NetParams[net])
		ref, haveRef := p.epochSeconds(net, "float64")
		var rows [][]string
		for _, be := range []string{"gonum", "openblas"} {
			row := []string{"Go, " + backendName[be], "not measured", "–", "–"}
			if e, ok := in.goEpoch(be, net); ok {
				row[1], row[2] = fmtSec(e.Seconds), fmtRate(e.SamplesPerSec)
				if haveRef {
					row[3] = fmtRatio(e.Seconds / ref)
				}
			}
			rows = append(rows, row)
		}
		for _, dt := range []string{"float64", "float32"} {
			row := []string{"PyTorch, " + dt, "not measured", "–", "–"}
			if s, ok := p.epochSeconds(net, dt); ok {
				row[1], row[2] = fmtSec(s), fmtRate(EpochSamples/s)
				if dt == "float64" {
					row[3] = "1 (reference)"
				}
			}
			rows = append(rows, row)
		}
		if err := report.MarkdownTable(&b, []string{"run", "seconds / epoch", "samples / s", "Go / PyTorch float64"}, rows); err != nil {
			return err
		}
	}
	pf("\n## Goals of issue #6\n\n")
	var rows [][]string
	for _, g := range Goals {
		row := []string{fmt.Sprintf("%s epoch, Go with %s ≤ %g × PyTorch", g.Net, backendName[g.Backend], g.Max), "not measured", "–"}
		e, okGo := in.goEpoch(g.Backend, g.Net)
		ref, okPT := p.epochSeconds(g.Net, "float64")
		if okGo && okPT {
			r := e.Seconds / ref
			row[1] = fmtRatio(r)
			row[2] = "✗"
			if r <= g.Max {
				row[2] = "✓"
			}
		}
		rows = append(rows, row)
	}
	if err := report.MarkdownTable(&b, []string{"goal", "measured", "met"}, rows); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// thousands writes n with comma separators: 60,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func readBench(path string) (map[string]Epoch, map[string]string, error) {
	if path == "" {
		return nil, nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	bf, err := gobench.Parse(f, path)
	if err != nil {
		return nil, nil, err
	}
	e, err := TrainEpochs(bf)
	return e, bf.Config, err
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchcompare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gonum := fs.String("gonum", "", "`go test -bench TrainEpoch` output, pure-Go BLAS")
	openblas := fs.String("openblas", "", "the same with -tags openblas")
	pytorch := fs.String("pytorch", "", "scripts/bench_pytorch.py --json output (required)")
	out := fs.String("out", "results/bench/pytorch.md", "the page to write")
	command := fs.String("command", "", "the command named on the page (default: this one)")
	checked := fs.Bool("checked", false, "say on the page that bench_pytorch.py --crosscheck passed before the run")
	cross := fs.String("crosscheck", "", "only write `FILE`: each network's objective and gradient at "+
		"net.Init(1) on random images, for bench_pytorch.py --crosscheck")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *cross != "" {
		if err := writeCrossCheckFile(*cross); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "wrote", *cross)
		return nil
	}
	if *pytorch == "" {
		return errors.New("-pytorch FILE is required")
	}
	if *gonum == "" && *openblas == "" {
		return errors.New("give -gonum FILE, -openblas FILE or both")
	}
	in := &Input{Command: *command, Date: time.Now(), CrossChecked: *checked}
	if in.Command == "" {
		in.Command = strings.Join(append([]string{"go run ./scripts/benchcompare"}, args...), " ")
	}
	var err error
	if in.Gonum, in.GonumConfig, err = readBench(*gonum); err != nil {
		return err
	}
	if in.OpenBLAS, in.OpenBLASConfig, err = readBench(*openblas); err != nil {
		return err
	}
	pf, err := os.Open(*pytorch)
	if err != nil {
		return err
	}
	defer pf.Close()
	if in.PyTorch, err = ParsePyTorch(pf, *pytorch); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, in); err != nil {
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "wrote", *out)
	return nil
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
}
