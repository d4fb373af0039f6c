// Command experiments runs the harness's declarative pruning experiments.
//
//	go run ./experiments                 # the paper's study: paper-fig1 and paper-fig2
//	go run ./experiments -list           # the shipped definitions
//	go run ./experiments NAME|FILE.yaml  # some definitions, or your own file
//	go run ./experiments -all -quick     # every definition at reduced scale
//
// Run `go run ./experiments -h` for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type options struct {
	list, all, quick, describe, baselines bool
	hessianGap, merge                     bool
	export, experimentsMD, shard          string
	mnist, out                            string
	workers                               int
	names                                 []string
	set                                   map[string]bool // flags given explicitly
}

// defaultDefinitions are run when no name is given: the paper's study.
var defaultDefinitions = []string{"paper-fig1", "paper-fig2"}

func main() {
	var o options
	fs := flag.NewFlagSet("experiments", flag.ContinueOnError)
	fs.BoolVar(&o.list, "list", false, "list the shipped definitions and exit")
	fs.BoolVar(&o.all, "all", false, "run every shipped definition")
	fs.BoolVar(&o.quick, "quick", false, "run at reduced scale (each definition's quick: section); writes OUT/<name>-quick/")
	fs.BoolVar(&o.describe, "describe", false, "print the networks (parameters, connections, units) and their layers, and exit")
	fs.BoolVar(&o.baselines, "baselines", false, "train the dense network of each named definition's first seed (default: lenet1-retrain, han-lenet300, han-lenet5, then the variants of experiments/variants/) and write OUT/baselines/")
	fs.StringVar(&o.export, "export", "", "write the trained dense model of definition `NAME` (first seed) with its Hessian diagonal and saliencies to the .npz file given by -out")
	fs.BoolVar(&o.hessianGap, "hessian-gap", false, "measure the paper's Hessian recursion against the exact diagonals on the trained lenet1 and write OUT/hessian/gap.md")
	fs.StringVar(&o.experimentsMD, "experiments-md", "", "write `FILE` (EXPERIMENTS.md) from the results in -out, and exit")
	fs.StringVar(&o.mnist, "mnist", "", "`DIR` with the four MNIST .gz files (default: $MNIST_DIR, else the GoMNIST module's data/)")
	fs.StringVar(&o.out, "out", "", "output directory (default results), or the .npz file for -export")
	fs.StringVar(&o.shard, "shard", "", "run one part of the units: `I/N` (shard I of N, 0-based), auto (Slurm job array variables) or auto/N (index from JOB_COMPLETION_INDEX, Kubernetes); the last shard to finish writes the outputs")
	fs.BoolVar(&o.merge, "merge", false, "compute nothing: write the outputs of the named definitions from the units finished in -out (after sharded runs)")
	fs.IntVar(&o.workers, "workers", 0, "worker goroutines (default GOMAXPROCS); results do not depend on it")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./experiments [flags] [NAME|FILE.yaml ...]\n\n"+
			"With no name, runs the paper's study (%v). Flags:\n", defaultDefinitions)
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	o.names = fs.Args()
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, o, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "experiments: interrupted. Finished units are kept; run the same command again to resume.")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "experiments:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.workers < 0 {
		return fmt.Errorf("-workers %d < 0", o.workers)
	}
	if (o.shard != "" || o.merge) && (o.describe || o.list || o.hessianGap || o.experimentsMD != "" || o.export != "" || o.baselines) {
		return errors.New("-shard and -merge apply to runs of definitions only")
	}
	if o.shard != "" && o.merge {
		return errors.New("give -shard or -merge, not both")
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
		return exportNPZ(ctx, o, stderr)
	case o.baselines:
		return baselines(ctx, o, stdout, stderr)
	}
	return runDefinitions(ctx, o, stdout, stderr)
}
