package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"

	"obd/internal/atomicfile"
	"obd/report"
	"obd/study"
)

// baselineDefinitions are trained by -baselines when no name is given:
// one per network, then the variants of experiments/variants/ (recipes
// tried against the published baselines).
func baselineDefinitions() []string {
	return append([]string{"lenet1-retrain", "han-lenet300", "han-lenet5"}, variantNames()...)
}

// reference test errors of the dense networks (PAPER.md).
var referenceErr = map[string]string{
	"lenet1":   "1.7% (LeCun et al. 1998)",
	"lenet300": "1.64% (Han et al. 2015)",
	"lenet5":   "0.80% (Han et al. 2015)",
}

// baselines trains the dense network of each definition's first seed (or
// finds it in the cache that the pruning runs share) and tabulates them.
func baselines(ctx context.Context, o options, stdout, stderr io.Writer) error {
	names := o.names
	if len(names) == 0 {
		names = baselineDefinitions()
	}
	defs, env, err := setup(o, names)
	if err != nil {
		return err
	}
	dir := filepath.Join(env.Out, "baselines")
	if o.quick {
		dir += "-quick"
	}
	env.Recorder = logLines{stderr}
	var done []*study.Dense
	for _, d := range defs {
		fmt.Fprintf(stderr, "%s: training %s, seed %d, %d epochs\n", d.Name, d.Network, d.Seeds[0], d.AtScale(o.quick).Training.Epochs)
		dn, err := study.TrainDense(ctx, d, env, d.Seeds[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: test error %.2f%%, train error %.2f%%, %.1f s/epoch\n",
			dn.Net.Name, 100*dn.Test.ErrorRate(), 100*dn.Train.ErrorRate(), dn.SecondsPerEpoch)
		if dn.Learned != nil {
			// A recipe that failed is a result of the baselines table (it
			// says what was tried), but no net to prune.
			fmt.Fprintf(stdout, "%s: %v\n", d.Name, dn.Learned)
		}
		done = append(done, dn)
		// Rewritten after every network, so nothing finished is lost.
		if err := writeBaselines(dir, command(o, names), env.Workers, done); err != nil {
			return err
		}
	}
	return nil
}

// describeRecipe is a definition's dense training recipe in one line, with
// the preprocessing that differs from MNIST as shipped.
func describeRecipe(d *study.Definition) string {
	r := d.Training
	s := fmt.Sprintf("%d epochs, batch %d, lr %g (%s ×%g), momentum %g, wd %g", r.Epochs, r.BatchSize, r.LR,
		r.LRSchedule, r.LRGamma, r.Momentum, r.WeightDecay)
	if r.SDLMMu > 0 {
		s += fmt.Sprintf(", SDLM μ %g on %d patterns", r.SDLMMu, r.SDLMSamples)
	}
	if n := d.Data.DigitSize; n > 0 {
		s += fmt.Sprintf("; digits rescaled to %d px", n)
	}
	return s
}

func writeBaselines(dir, cmd string, workers int, ds []*study.Dense) error {
	err := atomicfile.WriteFunc(filepath.Join(dir, "baselines.csv"), func(w *bytes.Buffer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"definition", "network", "seed", "params", "epochs", "train_n", "test_n", "train_loss",
			"train_error", "test_loss", "test_error", "seconds_per_epoch", "digit_size"})
		for _, d := range ds {
			cw.Write([]string{d.Def.Name, d.Net.Name, fmt.Sprint(d.Seed), fmt.Sprint(d.Net.NumParams()),
				fmt.Sprint(d.Def.Training.Epochs), fmt.Sprint(d.Train.N), fmt.Sprint(d.Test.N),
				fmt.Sprintf("%.6g", d.Train.MeanLoss()), fmt.Sprintf("%.6g", d.Train.ErrorRate()),
				fmt.Sprintf("%.6g", d.Test.MeanLoss()), fmt.Sprintf("%.6g", d.Test.ErrorRate()),
				fmt.Sprintf("%.2f", d.SecondsPerEpoch), fmt.Sprint(d.Def.Data.DigitSize)})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return atomicfile.WriteFunc(filepath.Join(dir, "baselines.md"), func(w *bytes.Buffer) error {
		fmt.Fprintf(w, "# Dense baselines\n\nMade by `%s` (%d workers). Each network is the dense net of its "+
			"definition's first seed, trained with the definition's recipe on its training set and measured on all "+
			"of it and on the test set. The objective is the mean per-pattern loss (squared error summed over the "+
			"10 outputs for lenet1, cross-entropy for the others). Seconds per epoch are those of the run that "+
			"trained the net (the pruning runs share it through OUT/.cache).\n\n", cmd, workers)
		var rows [][]string
		for _, d := range ds {
			rows = append(rows, []string{d.Net.Name, d.Def.Name, fmt.Sprint(d.Seed), fmt.Sprint(d.Net.NumParams()),
				describeRecipe(d.Def),
				fmt.Sprintf("%.4f", d.Train.MeanLoss()), fmt.Sprintf("%.2f%%", 100*d.Train.ErrorRate()),
				fmt.Sprintf("%.4f", d.Test.MeanLoss()), fmt.Sprintf("%.2f%%", 100*d.Test.ErrorRate()),
				referenceErr[d.Net.Name], fmt.Sprintf("%.1f", d.SecondsPerEpoch)})
		}
		return report.MarkdownTable(w, []string{"network", "definition", "seed", "parameters", "recipe", "train objective",
			"train error", "test objective", "test error", "reference", "s/epoch"}, rows)
	})
}
