// Command experiments runs the harness's declarative pruning experiments.
//
//	go run ./experiments                 # the paper's study: paper-fig1 and paper-fig2
//	go run ./experiments -list           # the shipped definitions
//	go run ./experiments NAME|FILE.yaml  # some definitions, or your own file
//	go run ./experiments -all -quick     # every definition at reduced scale
//
// Run `go run ./experiments -h` for every flag; README.md's "Command line"
// block is its output (TestReadmeCommandBlock checks it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

type options struct {
	list, all, quick, describe, baselines bool
	hessianGap, merge, redraw, everySeed  bool
	export, experimentsMD, shard          string
	baselinesDir                          string
	mnist, out                            string
	workers                               int
	names                                 []string
	set                                   map[string]bool // flags given explicitly
}

// defaultDefinitions are run when no name is given: the paper's study.
var defaultDefinitions = []string{"paper-fig1", "paper-fig2"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop() // os.Exit runs no deferred call
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the command's exit status:
// 0 on success, 2 for a command line it cannot run, 130 when interrupted,
// 1 for any other failure.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "experiments: interrupted. Finished units are kept; run the same command again to resume.")
		return 130
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintf(stderr, "experiments: %v (go run ./experiments -h lists the flags)\n", ue.err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "experiments:", err)
	return 1
}

// usageError is a command line the command refuses to run.
type usageError struct {
	err     error
	printed bool // the flag package has already said what is wrong
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// run is the command: it parses args (without the program name), checks
// that the flags given can be combined, and runs the mode they choose.
// -h prints the usage to stdout and returns nil.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if o.workers < 0 {
		return &usageError{err: fmt.Errorf("-workers %d < 0", o.workers)}
	}
	switch {
	case o.describe:
		return describe(stdout)
	case o.list:
		return list(stdout)
	case o.hessianGap:
		return hessianGap(ctx, o, stdout, stderr)
	case o.experimentsMD != "":
		return experimentsMD(o, o.experimentsMD)
	case o.export != "":
		return exportNPZ(ctx, o, stdout, stderr)
	case o.baselines:
		return baselines(ctx, o, stdout, stderr)
	case o.redraw:
		return redraw(o, stdout)
	}
	return runDefinitions(ctx, o, stdout, stderr)
}

// parse reads the command line into options. A parse error has been
// printed to stderr with the usage; -h prints the usage to stdout and
// returns flag.ErrHelp.
func parse(args []string, stdout, stderr io.Writer) (options, error) {
	var o options
	fs := newFlagSet(&o)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: to stdout when asked for
	// Flags may come before, between or after the names: the flag package
	// stops at the first name, so parsing resumes after each one (a lone
	// "--" ends the flags, as usual).
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			usage(stdout, fs)
			return o, err
		} else if err != nil {
			usage(stderr, fs)
			return o, &usageError{err: err, printed: true}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			o.names = append(o.names, rest...)
			break
		}
		o.names = append(o.names, rest[0])
		args = rest[1:]
	}
	o.set = map[string]bool{}
	var given []string // in the order of the flag set: sorted
	fs.Visit(func(f *flag.Flag) {
		o.set[f.Name] = true
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() || f.Value.String() != "false" {
			given = append(given, f.Name)
		}
	})
	return o, check(o, given)
}

// A mode is what the command does: run definitions (the mode without a
// flag) or one of the others, chosen by its flag.
type mode struct {
	flag  string   // "" for runs of definitions
	with  []string // the other flags it accepts
	names bool     // whether it takes definition names
}

// modes lists every mode with the flags it accepts; the flags that train
// a network (-quick, -mnist, -workers) go with the modes that train one.
// -hessian-gap refuses -quick because it would write a quick net's
// measurement into OUT/hessian/gap.md, the full-scale result's place.
var modes = []mode{
	{"", []string{"all", "quick", "shard", "merge", "mnist", "out", "workers"}, true},
	{"list", nil, false},
	{"describe", nil, false},
	{"baselines", []string{"every-seed", "baselines-dir", "quick", "mnist", "out", "workers"}, true},
	{"export", []string{"quick", "mnist", "out", "workers"}, false},
	{"hessian-gap", []string{"mnist", "out", "workers"}, false},
	{"experiments-md", []string{"out"}, false},
	{"redraw", []string{"out"}, true},
}

// check refuses flags that cannot be combined, naming both: two modes, a
// flag that the chosen mode does not use, or definition names for a mode
// that takes none. given lists the flags given, bool flags set to false
// excepted.
func check(o options, given []string) error {
	bad := func(format string, args ...any) error { return &usageError{err: fmt.Errorf(format, args...)} }
	m := modes[0]
	for _, c := range modes[1:] {
		if !slices.Contains(given, c.flag) {
			continue
		}
		if m.flag != "" {
			return bad("-%s and -%s cannot be combined: give one mode", m.flag, c.flag)
		}
		m = c
	}
	for _, f := range given {
		if f == m.flag || slices.Contains(m.with, f) {
			continue
		}
		if m.flag == "" {
			return bad("-%s applies to %s, not to runs of definitions: give it alone", f, appliesTo(f))
		}
		return bad("-%s cannot be combined with -%s (-%s applies to %s)", f, m.flag, f, appliesTo(f))
	}
	switch {
	case len(o.names) > 0 && m.flag == "export":
		return bad("-export takes one definition as its value (-export NAME), not the names %q", o.names)
	case len(o.names) > 0 && !m.names:
		return bad("-%s takes no definition names, got %q", m.flag, o.names)
	case m.flag == "export" && o.export == "":
		return bad("-export needs a definition name")
	case m.flag == "experiments-md" && o.experimentsMD == "":
		return bad("-experiments-md needs a file name")
	case o.set["shard"] && o.merge:
		return bad("-shard and -merge cannot be combined: -merge computes nothing")
	case o.all && len(o.names) > 0:
		return bad("give definition names or -all, not both")
	}
	return nil
}

// appliesTo names the modes that accept flag f.
func appliesTo(f string) string {
	var in []string
	for _, m := range modes {
		if m.flag == f {
			return "itself"
		}
		if slices.Contains(m.with, f) {
			if m.flag == "" {
				in = append(in, "runs of definitions")
			} else {
				in = append(in, "-"+m.flag)
			}
		}
	}
	switch len(in) {
	case 0:
		return "nothing"
	case 1:
		return in[0] + " only"
	}
	return strings.Join(in[:len(in)-1], ", ") + " and " + in[len(in)-1]
}

// newFlagSet defines the command's flags on o. Each usage string is the
// text of -h, its lines broken by hand; a `word` in it names the value.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("experiments", flag.ContinueOnError)
	fs.BoolVar(&o.all, "all", false, "every shipped definition (hours at full scale)")
	fs.BoolVar(&o.quick, "quick", false, "reduced scale (each definition's quick: section): runs write\n"+
		"OUT/<name>-quick/, -baselines OUT/baselines-quick/,\n"+
		"-export OUT/export/NAME-quick.npz")
	fs.StringVar(&o.shard, "shard", "", "run `I/N`: shard I (0-based) of N of each definition's units; -shard auto\n"+
		"reads a Slurm job array's variables, -shard auto/N takes I from\n"+
		"JOB_COMPLETION_INDEX (a Kubernetes Indexed Job of N completions);\n"+
		"the last shard to finish writes the outputs")
	fs.BoolVar(&o.merge, "merge", false, "compute nothing: write the outputs of the named definitions from the\n"+
		"units finished in OUT (after sharded runs)")
	fs.BoolVar(&o.list, "list", false, "list the shipped definitions")
	fs.BoolVar(&o.describe, "describe", false, "print the networks (free parameters, connections, units) and their layers")
	fs.BoolVar(&o.baselines, "baselines", false, "train the dense net of each named definition's first seed\n"+
		"(default "+strings.Join(baselineDefinitions()[:3], ", ")+", then the recipe\n"+
		"variants of experiments/variants/) into OUT/baselines/")
	fs.BoolVar(&o.everySeed, "every-seed", false, "train every seed of each definition, not only its first")
	fs.StringVar(&o.baselinesDir, "baselines-dir", "baselines", "write OUT/`DIR`/ instead of OUT/baselines/")
	fs.StringVar(&o.export, "export", "", "write the dense model of definition `NAME` (first seed) with its\n"+
		"Hessian diagonal, saliencies and metadata to OUT/export/NAME.npz,\n"+
		"for numpy and PyTorch: see docs/EXPORT.md")
	fs.BoolVar(&o.hessianGap, "hessian-gap", false, "measure the paper's Hessian recursion against the exact diagonals on the\n"+
		"trained lenet1 of paper-fig1, into OUT/hessian/gap.md")
	fs.BoolVar(&o.redraw, "redraw", false, "compute nothing: write figures/ and summary.md of OUT/NAME (default:\n"+
		"every result in OUT) again from its points.csv and manifest.json")
	fs.StringVar(&o.experimentsMD, "experiments-md", "", "write `FILE` (EXPERIMENTS.md) from the results in OUT")
	fs.StringVar(&o.mnist, "mnist", "", "a `DIR` with the four MNIST .gz files (default: $MNIST_DIR, else the\n"+
		"GoMNIST module's data/)")
	fs.StringVar(&o.out, "out", "", "the output directory `OUT` of every mode (default results); the\n"+
		"trained dense nets are cached in OUT/.cache")
	fs.IntVar(&o.workers, "workers", 0, "`N` worker goroutines (default GOMAXPROCS); results do not depend on it")
	return fs
}

// usage prints -h: the runs of definitions with their flags, the other
// modes each with the flags it accepts, then the flags several modes share.
// README.md's "Command line" block is this text.
func usage(w io.Writer, fs *flag.FlagSet) {
	line := func(left, text string) {
		for i, l := range strings.Split(text, "\n") {
			if i > 0 {
				left = ""
			}
			if len(left) > 16 {
				fmt.Fprintf(w, "  %s\n", left)
				left = ""
			}
			fmt.Fprintf(w, "  %-16s %s\n", left, l)
		}
	}
	flagLine := func(name string) {
		f := fs.Lookup(name)
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			name += " " + arg
		}
		line("-"+name, text)
	}
	shared := []string{"mnist", "out", "workers"}
	fmt.Fprintf(w, "usage: go run ./experiments [flags] [NAME|FILE.yaml ...]\n\n")
	fmt.Fprintf(w, "Run definitions:\n")
	line("(no name)", "the paper's study: "+strings.Join(defaultDefinitions, " and "))
	line("NAME", "a shipped definition (go run ./experiments -list)")
	line("FILE.yaml", "your own definition (same format as experiments/definitions/*.yaml)")
	for _, f := range modes[0].with {
		if !slices.Contains(shared, f) {
			flagLine(f)
		}
	}
	fmt.Fprintf(w, "\nOther modes, one at a time; each accepts only the flags it lists:\n")
	for _, m := range modes[1:] {
		flagLine(m.flag)
		var with []string
		for _, f := range m.with {
			with = append(with, "-"+f)
		}
		if m.names {
			with = append(with, "NAME ...")
		}
		if len(with) > 0 {
			line("", "with "+strings.Join(with, " "))
		}
		for _, f := range m.with { // the flags of this mode alone
			if !slices.Contains(shared, f) && !slices.Contains(modes[0].with, f) {
				flagLine(f)
			}
		}
	}
	fmt.Fprintf(w, "\nFlags of several modes:\n")
	for _, f := range shared {
		flagLine(f)
	}
}
