package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"obd/datasets"
	"obd/model"
	"obd/train"
)

// baseline is one trained dense network.
type baseline struct {
	Net                 string
	Seed                uint64
	Params              int
	Epochs              int
	TrainN, TestN       int
	TrainLoss, TrainErr float64
	TestLoss, TestErr   float64
	SecondsPerEpoch     float64
	Workers             int
	Theta               []float64
}

// reference test errors for the dense networks (PAPER.md).
var referenceErr = map[string]string{
	"lenet1":   "1.7% (LeCun et al. 1998)",
	"lenet300": "1.64% (Han et al. 2015)",
	"lenet5":   "0.80% (Han et al. 2015)",
}

// scale returns the training and test sets and the epochs to use.
func scale(o options, m *datasets.MNIST, epochs int) (tr, te *datasets.Set, ep int, err error) {
	if !o.quick {
		return m.Train, m.Test, epochs, nil
	}
	i, err := datasets.Stratified(m.Train, 6000, o.seed)
	if err != nil {
		return nil, nil, 0, err
	}
	j, err := datasets.Stratified(m.Test, 2000, o.seed)
	if err != nil {
		return nil, nil, 0, err
	}
	return m.Train.Subset(i), m.Test.Subset(j), min(epochs, 2), nil
}

// trainDense trains net name with its recipe and evaluates it.
func trainDense(o options, name string, m *datasets.MNIST) (*baseline, error) {
	net, _ := model.ByName(name)
	cfg := recipes[name]
	trSet, teSet, epochs, err := scale(o, m, cfg.Epochs)
	if err != nil {
		return nil, err
	}
	cfg.Epochs, cfg.Seed = epochs, o.seed
	tr, te := model.NewData(net, trSet), model.NewData(net, teSet)
	e := model.NewEngine(net, o.workers)
	theta := net.Init(o.seed)
	var seconds float64
	err = train.SGD(e, theta, nil, tr, cfg, func(ep train.Epoch) {
		seconds += ep.Seconds
		slog.Info("epoch", "net", name, "epoch", fmt.Sprintf("%d/%d", ep.Epoch, epochs), "lr", ep.LR,
			"train_loss", fmt.Sprintf("%.5f", ep.TrainLoss), "train_err", fmt.Sprintf("%.4f", ep.TrainErr),
			"seconds", fmt.Sprintf("%.1f", ep.Seconds))
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	trSt := e.Sum(theta, tr, nil, model.PassEval, nil)
	teSt := e.Sum(theta, te, nil, model.PassEval, nil)
	return &baseline{
		Net: name, Seed: o.seed, Params: net.NumParams(), Epochs: epochs, TrainN: tr.N, TestN: te.N,
		TrainLoss: trSt.MeanLoss(), TrainErr: trSt.ErrorRate(), TestLoss: teSt.MeanLoss(), TestErr: teSt.ErrorRate(),
		SecondsPerEpoch: seconds / float64(max(epochs, 1)), Workers: o.workers, Theta: theta,
	}, nil
}

func runBaselines(o options, nets []string, m *datasets.MNIST, stdout io.Writer) error {
	dir := filepath.Join(o.out, "baselines")
	if o.quick {
		dir = filepath.Join(o.out, "baselines-quick")
	}
	var done []*baseline
	for _, name := range nets {
		start := time.Now()
		b, err := trainDense(o, name, m)
		if err != nil {
			return err
		}
		net, _ := model.ByName(name)
		path := filepath.Join(dir, fmt.Sprintf("%s-seed%d.params", name, o.seed))
		if err := writeAtomicFunc(path, func(w *bytes.Buffer) error { return model.WriteParams(w, net, b.Theta) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: test error %.2f%%, train error %.2f%%, %.1f s/epoch, %s\n",
			name, 100*b.TestErr, 100*b.TrainErr, b.SecondsPerEpoch, time.Since(start).Round(time.Second))
		done = append(done, b)
		// Rewrite the tables after every network, so nothing finished is lost.
		if err := writeBaselines(o, dir, done); err != nil {
			return err
		}
	}
	return nil
}

func command(o options, nets []string) string {
	c := "go run ./experiments -baselines -nets " + strings.Join(nets, ",")
	if o.quick {
		c += " -quick"
	}
	if o.seed != 1 {
		c += fmt.Sprintf(" -seed %d", o.seed)
	}
	return c
}

func writeBaselines(o options, dir string, bs []*baseline) error {
	var names []string
	for _, b := range bs {
		names = append(names, b.Net)
	}
	cmd := command(o, names)
	err := writeAtomicFunc(filepath.Join(dir, "baselines.csv"), func(w *bytes.Buffer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"network", "seed", "params", "epochs", "train_n", "test_n", "train_loss", "train_error",
			"test_loss", "test_error", "seconds_per_epoch", "workers"})
		for _, b := range bs {
			cw.Write([]string{b.Net, fmt.Sprint(b.Seed), fmt.Sprint(b.Params), fmt.Sprint(b.Epochs),
				fmt.Sprint(b.TrainN), fmt.Sprint(b.TestN), fmt.Sprintf("%.6g", b.TrainLoss), fmt.Sprintf("%.6g", b.TrainErr),
				fmt.Sprintf("%.6g", b.TestLoss), fmt.Sprintf("%.6g", b.TestErr), fmt.Sprintf("%.2f", b.SecondsPerEpoch),
				fmt.Sprint(b.Workers)})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return writeAtomicFunc(filepath.Join(dir, "baselines.md"), func(w *bytes.Buffer) error {
		fmt.Fprintf(w, "# Dense baselines\n\nMade by `%s` (seed %d, %d workers).\n"+
			"Errors are on the %d-image test set; the objective is the mean per-pattern loss "+
			"(squared error summed over the 10 outputs for lenet1, cross-entropy for the others).\n\n",
			cmd, o.seed, o.workers, bs[0].TestN)
		var rows [][]string
		for _, b := range bs {
			rc := recipes[b.Net]
			rows = append(rows, []string{b.Net, fmt.Sprint(b.Params),
				fmt.Sprintf("%d epochs, batch %d, lr %g×%g^epoch, momentum %g, wd %g", b.Epochs, rc.BatchSize, rc.LR,
					rc.Schedule.Gamma, rc.Momentum, rc.WeightDecay),
				fmt.Sprintf("%.4f", b.TrainLoss), fmt.Sprintf("%.2f%%", 100*b.TrainErr),
				fmt.Sprintf("%.4f", b.TestLoss), fmt.Sprintf("%.2f%%", 100*b.TestErr), referenceErr[b.Net],
				fmt.Sprintf("%.1f", b.SecondsPerEpoch)})
		}
		return markdownTable(w, []string{"network", "parameters", "recipe", "train objective", "train error",
			"test objective", "test error", "reference", "s/epoch"}, rows)
	})
}
