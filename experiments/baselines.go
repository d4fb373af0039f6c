package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"obd/claims"
	"obd/internal/atomicfile"
	"obd/model"
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

// baselines trains the dense network of each definition's first seed (of
// every seed with -every-seed), or finds it in the cache that the pruning
// runs share, and tabulates them in OUT/baselines/ (OUT/DIR/ with
// -baselines-dir DIR).
func baselines(ctx context.Context, o options, stdout, stderr io.Writer) error {
	names := o.names
	if len(names) == 0 {
		names = baselineDefinitions()
	}
	name := o.baselinesDir
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return &usageError{err: fmt.Errorf("-baselines-dir %q: want a directory name under OUT, without a path", name)}
	}
	defs, env, err := setup(o, names)
	if err != nil {
		return err
	}
	dir := filepath.Join(env.Out, name)
	if o.quick {
		dir += "-quick"
	}
	env.Recorder = logLines{stderr}
	var done []*study.Dense
	for _, d := range defs {
		seeds := d.AtScale(o.quick).Seeds
		if !o.everySeed {
			seeds = seeds[:1]
		}
		for _, seed := range seeds {
			fmt.Fprintf(stderr, "%s: training %s, seed %d, %d epochs\n", d.Name, d.Network, seed, d.AtScale(o.quick).Training.Epochs)
			dn, err := study.TrainDense(ctx, d, env, seed)
			if err != nil {
				return err
			}
			valid := ""
			if dn.Valid.N > 0 {
				valid = fmt.Sprintf(", validation error %.2f%%", 100*dn.Valid.ErrorRate())
			}
			fmt.Fprintf(stdout, "%s seed %d: test error %.2f%%%s, train error %.2f%%, %.1f s/epoch\n",
				d.Name, seed, 100*dn.Test.ErrorRate(), valid, 100*dn.Train.ErrorRate(), dn.SecondsPerEpoch)
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
	}
	return nil
}

// didNotLearn is baselines.csv's did_not_learn cell: why the net did not
// learn, empty when it did.
func didNotLearn(d *study.Dense) string {
	if d.Learned == nil {
		return ""
	}
	return d.Learned.Error()
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
	if !r.Precision.IsZero() {
		s += ", in " + string(r.Precision)
	}
	if n := d.Data.DigitSize; n > 0 {
		s += fmt.Sprintf("; digits rescaled to %d px", n)
	}
	return s
}

// baselineRows are the dense nets as rows of baselines.csv, for the
// selection rules of package claims.
func baselineRows(ds []*study.Dense) []claims.Baseline {
	var rows []claims.Baseline
	for _, d := range ds {
		b := claims.Baseline{Definition: d.Def.Name, Network: d.Net.Name, Seed: fmt.Sprint(d.Seed),
			Epochs: d.Def.Training.Epochs, TrainError: d.Train.ErrorRate(), TestError: d.Test.ErrorRate(),
			SecondsPerEpoch: d.SecondsPerEpoch, DigitSize: d.Def.Data.DigitSize, ValidError: math.NaN()}
		if d.Valid.N > 0 {
			b.ValidN, b.ValidError, b.ValidLoss = d.Valid.N, d.Valid.ErrorRate(), d.Valid.MeanLoss()
		}
		b.DidNotLearn = didNotLearn(d)
		rows = append(rows, b)
	}
	return rows
}

func writeBaselines(dir, cmd string, workers int, ds []*study.Dense) error {
	hasValid := false
	for _, d := range ds {
		hasValid = hasValid || d.Valid.N > 0
	}
	// valid formats a validation statistic; empty without a validation set.
	valid := func(d *study.Dense, f func(model.Stats) string) string {
		if d.Valid.N == 0 {
			return ""
		}
		return f(d.Valid)
	}
	err := atomicfile.WriteFunc(filepath.Join(dir, "baselines.csv"), func(w *bytes.Buffer) error {
		cw := csv.NewWriter(w)
		header := []string{"definition", "network", "seed", "params", "epochs", "train_n", "test_n", "train_loss",
			"train_error", "test_loss", "test_error", "seconds_per_epoch", "digit_size"}
		if hasValid {
			header = append(header, "valid_n", "valid_loss", "valid_error")
		}
		header = append(header, "did_not_learn")
		cw.Write(header)
		for _, d := range ds {
			rec := []string{d.Def.Name, d.Net.Name, fmt.Sprint(d.Seed), fmt.Sprint(d.Net.NumParams()),
				fmt.Sprint(d.Def.Training.Epochs), fmt.Sprint(d.Train.N), fmt.Sprint(d.Test.N),
				fmt.Sprintf("%.6g", d.Train.MeanLoss()), fmt.Sprintf("%.6g", d.Train.ErrorRate()),
				fmt.Sprintf("%.6g", d.Test.MeanLoss()), fmt.Sprintf("%.6g", d.Test.ErrorRate()),
				fmt.Sprintf("%.2f", d.SecondsPerEpoch), fmt.Sprint(d.Def.Data.DigitSize)}
			if hasValid {
				rec = append(rec, valid(d, func(s model.Stats) string { return fmt.Sprint(s.N) }),
					valid(d, func(s model.Stats) string { return fmt.Sprintf("%.6g", s.MeanLoss()) }),
					valid(d, func(s model.Stats) string { return fmt.Sprintf("%.6g", s.ErrorRate()) }))
			}
			cw.Write(append(rec, didNotLearn(d)))
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return atomicfile.WriteFunc(filepath.Join(dir, "baselines.md"), func(w *bytes.Buffer) error {
		fmt.Fprintf(w, "# Dense baselines\n\nMade by `%s` (%s). Each network is the dense net of its "+
			"definition's first seed (of each of its seeds with -every-seed), trained with the definition's recipe on its training set and measured on all "+
			"of it and on the test set. The objective is the mean per-pattern loss (squared error summed over the "+
			"10 outputs for lenet1, cross-entropy for the others). Seconds per epoch are those of the run that "+
			"trained the net (the pruning runs share it through OUT/.cache).\n\n", cmd, count(workers, "worker"))
		if hasValid {
			fmt.Fprintf(w, "A definition with data.validation holds that many class-stratified images of MNIST's training "+
				"file out of its training set (the same images for every definition and seed) and measures the net "+
				"on them (valid objective, valid error; empty: none held out). A recipe is chosen on validation error; "+
				"the test set is only reported.\n\n")
		}
		header := []string{"network", "definition", "seed", "parameters", "recipe", "train objective", "train error"}
		if hasValid {
			header = append(header, "valid objective", "valid error")
		}
		header = append(header, "test objective", "test error", "reference", "s/epoch")
		var rows [][]string
		var failed []string
		for _, d := range ds {
			name := d.Def.Name
			if d.Learned != nil {
				name += " (did not learn)"
				failed = append(failed, fmt.Sprintf("- %s seed %d: %v", d.Def.Name, d.Seed, d.Learned))
			}
			row := []string{d.Net.Name, name, fmt.Sprint(d.Seed), fmt.Sprint(d.Net.NumParams()),
				describeRecipe(d.Def),
				fmt.Sprintf("%.4f", d.Train.MeanLoss()), fmt.Sprintf("%.2f%%", 100*d.Train.ErrorRate())}
			if hasValid {
				row = append(row, valid(d, func(s model.Stats) string { return fmt.Sprintf("%.4f", s.MeanLoss()) }),
					valid(d, func(s model.Stats) string { return fmt.Sprintf("%.2f%%", 100*s.ErrorRate()) }))
			}
			rows = append(rows, append(row, fmt.Sprintf("%.4f", d.Test.MeanLoss()), fmt.Sprintf("%.2f%%", 100*d.Test.ErrorRate()),
				referenceErr[d.Net.Name], fmt.Sprintf("%.1f", d.SecondsPerEpoch)))
		}
		if err := report.MarkdownTable(w, header, rows); err != nil {
			return err
		}
		if len(failed) > 0 {
			fmt.Fprintf(w, "\n## Did not learn\n\nThese nets ended at chance level or above their initial objective "+
				"(study.ErrDidNotLearn): their rows say what was tried, and no choice takes them.\n\n%s\n",
				strings.Join(failed, "\n"))
		}
		if err := writeSeedStats(w, ds); err != nil {
			return err
		}
		return writeChosen(w, ds)
	})
}

// writeSeedStats tabulates, for each definition trained with more than one
// seed, the mean ± sample standard deviation of its errors over the seeds.
func writeSeedStats(w io.Writer, ds []*study.Dense) error {
	var order []string
	by := map[string][]*study.Dense{}
	for _, d := range ds {
		if by[d.Def.Name] == nil {
			order = append(order, d.Def.Name)
		}
		by[d.Def.Name] = append(by[d.Def.Name], d)
	}
	pm := func(xs []float64) string {
		if len(xs) == 0 {
			return ""
		}
		s := report.Describe(xs)
		return fmt.Sprintf("%.2f ± %.2f%%", 100*s.Mean, 100*s.Std)
	}
	var rows [][]string
	for _, name := range order {
		g := by[name]
		if len(g) < 2 {
			continue
		}
		var seeds []string
		var tr, va, te []float64
		for _, d := range g {
			seeds = append(seeds, fmt.Sprint(d.Seed))
			tr, te = append(tr, d.Train.ErrorRate()), append(te, d.Test.ErrorRate())
			if d.Valid.N > 0 {
				va = append(va, d.Valid.ErrorRate())
			}
		}
		if len(va) != len(g) {
			va = nil // not every seed measured: no mean
		}
		rows = append(rows, []string{g[0].Net.Name, name, strings.Join(seeds, ", "), pm(tr), pm(va), pm(te), referenceErr[g[0].Net.Name]})
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n## Over seeds\n\nMean ± sample standard deviation over the seeds of each definition trained with more than one.\n\n")
	return report.MarkdownTable(w, []string{"network", "definition", "seeds", "train error", "valid error", "test error", "reference"}, rows)
}

// writeChosen names, for each network with validation errors, the recipe
// validation chose (claims.ChosenOnValidation) and the test error it
// reports.
func writeChosen(w io.Writer, ds []*study.Dense) error {
	rows := baselineRows(ds)
	var nets []string
	for _, b := range rows {
		if !slices.Contains(nets, b.Network) {
			nets = append(nets, b.Network)
		}
	}
	header := false
	for _, net := range nets {
		c, n, err := claims.ChosenOnValidation(rows, net)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n## Chosen on validation\n\nFor each network, the definition whose first seed has the lowest "+
				"validation error among the recipes above that hold out a validation set, a tie going to the lower validation objective (claims.ChosenOnValidation); "+
				"its test error is reported, not used.\n\n")
			header = true
		}
		var te []float64
		for _, b := range rows {
			if b.Definition == c.Definition {
				te = append(te, b.TestError)
			}
		}
		s := report.Describe(te)
		test := fmt.Sprintf("test error %.2f%% (seed %s)", 100*c.TestError, c.Seed)
		if s.N > 1 {
			test = fmt.Sprintf("test error %.2f ± %.2f%% over %d seeds", 100*s.Mean, 100*s.Std, s.N)
		}
		of := fmt.Sprintf("the lowest of %d recipes", n)
		if n == 1 {
			of = "the only recipe measured on validation"
		}
		fmt.Fprintf(w, "- %s: **%s**, validation error %.2f%% on %d held-out images (seed %s), %s; %s; reference %s.\n",
			net, c.Definition, 100*c.ValidError, c.ValidN, c.Seed, of, test, referenceErr[net])
	}
	return nil
}

// count is n followed by noun, in the plural unless n is 1: "1 worker",
// "2 workers".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
