// Command experiments runs the harness: it describes the networks and
// trains the dense baselines. Run `go run ./experiments -h` for the flags.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"obd/datasets"
	"obd/model"
)

type options struct {
	describe  bool
	baselines bool
	nets      string
	mnist     string
	out       string
	quick     bool
	workers   int
	seed      uint64
}

func main() {
	var o options
	flag.BoolVar(&o.describe, "describe", false, "print the networks (parameters, connections, units, layers) and exit")
	flag.BoolVar(&o.baselines, "baselines", false, "train the dense baselines of -nets and write OUT/baselines/ (the default job)")
	flag.StringVar(&o.nets, "nets", "lenet1,lenet300,lenet5", "comma-separated networks for -baselines")
	flag.StringVar(&o.mnist, "mnist", "", "directory with the four MNIST .gz files (default: $MNIST_DIR, else the GoMNIST module's data/)")
	flag.StringVar(&o.out, "out", "results", "output directory")
	flag.BoolVar(&o.quick, "quick", false, "reduced scale: 6000 training and 2000 test images, 2 epochs")
	flag.IntVar(&o.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS); results do not depend on it")
	flag.Uint64Var(&o.seed, "seed", 1, "seed for initialisation, shuffling and subsets")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "experiments:", err)
		os.Exit(1)
	}
}

func run(o options, stdout io.Writer) error {
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if o.workers <= 0 {
		o.workers = runtime.GOMAXPROCS(0)
	}
	if o.describe {
		return describe(stdout)
	}
	// Until the pruning study lands, the default job is the dense
	// baselines of the paper's network and the MLP.
	if !o.baselines && !flagSet("nets") {
		o.nets = "lenet1,lenet300"
	}
	nets, err := parseNets(o.nets)
	if err != nil {
		return err
	}
	data, err := loadMNIST(o.mnist)
	if err != nil {
		return err
	}
	return runBaselines(o, nets, data, stdout)
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func parseNets(s string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if _, err := model.ByName(n); err != nil {
			return nil, fmt.Errorf("-nets: %w", err)
		}
		if _, ok := recipes[n]; !ok {
			return nil, fmt.Errorf("-nets: no training recipe for %q", n)
		}
		names = append(names, n)
	}
	return names, nil
}

func loadMNIST(flagDir string) (*datasets.MNIST, error) {
	dir, err := datasets.ResolveDir(flagDir)
	if err != nil {
		return nil, err
	}
	slog.Info("loading MNIST", "dir", dir)
	return datasets.Load(dir)
}
