package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"obd/claims"
	"obd/curvature"
	"obd/datasets"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/report"
)

// hessianGapSamples is how many training images the comparison averages
// over: the exact Hessian costs four gradient sweeps per parameter.
const hessianGapSamples = 100

// hessianGap measures, on the trained lenet1 of paper-fig1's first seed,
// how far the paper's diagonal recursion is from the exact diagonals, per
// layer, and how well each estimator's saliencies rank like the exact
// Hessian's; it writes OUT/hessian/gap.md.
func hessianGap(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dn, env, err := firstDense(ctx, o, "paper-fig1")
	if err != nil {
		return err
	}
	train, _, err := dn.Def.Images(env.MNIST)
	if err != nil {
		return err
	}
	idx, err := datasets.Stratified(train, hessianGapSamples, 1)
	if err != nil {
		return err
	}
	data := model.NewData(dn.Net, train.Subset(idx))
	e := model.NewEngine(dn.Net, env.Workers)
	h := map[curvature.Estimator][]float64{}
	secs := map[curvature.Estimator]float64{}
	for _, est := range curvature.Estimators {
		start := time.Now()
		fmt.Fprintf(stderr, "hessian-gap: %s estimator on %d images\n", est, data.N)
		if h[est], err = curvature.Diagonal(e, dn.Theta, data, nil, est); err != nil {
			return err
		}
		secs[est] = time.Since(start).Seconds()
	}
	net := dn.Net
	var rows [][]string
	add := func(name string, lo, hi int) {
		gap := func(a, b curvature.Estimator) string {
			return fmt.Sprintf("%.3f", curvature.RelativeGap(h[a][lo:hi], h[b][lo:hi]))
		}
		rows = append(rows, []string{name, fmt.Sprint(hi - lo), gap(curvature.LM, curvature.GaussNewton),
			gap(curvature.Full, curvature.Hessian), gap(curvature.LM, curvature.Hessian),
			gap(curvature.GaussNewton, curvature.Hessian), gap(curvature.Fisher, curvature.Hessian)})
	}
	for i, l := range net.Layers {
		if net.Offset(i+1) > net.Offset(i) {
			add(l.Name(), net.Offset(i), net.Offset(i+1))
		}
	}
	add("all", 0, net.NumParams())
	var ranks [][]string
	exact := curvature.Saliency(h[curvature.Hessian], dn.Theta, nil)
	for _, est := range curvature.Estimators {
		s := curvature.Saliency(h[est], dn.Theta, nil)
		ranks = append(ranks, []string{string(est), fmt.Sprintf("%.4f", claims.Spearman(s, exact)),
			fmt.Sprintf("%.3f", claims.LowestOverlap(s, exact, 0.3)), fmt.Sprintf("%.2f", secs[est])})
	}
	path := filepath.Join(env.Out, "hessian", "gap.md")
	err = atomicfile.WriteFunc(path, func(w *bytes.Buffer) error {
		fmt.Fprintf(w, "# How exact is the paper's diagonal recursion?\n\n"+
			"Made by `go run ./experiments -hessian-gap`: the trained lenet1 of paper-fig1, seed %d (test error %.2f%%), "+
			"curvature averaged over %d class-stratified training images (seed 1). The exact Hessian diagonal comes from "+
			"Richardson-extrapolated central differences of the analytic gradient.\n\n"+
			"Relative gap ‖a − b‖₂ / ‖b‖₂ per layer. The paper's recursion (eq. 7) propagates only the diagonal of "+
			"∂²E/∂a², and a shared weight's h_kk sums its connections' terms without their cross terms (eq. 5); it is "+
			"exact for a single fully connected layer (tested), so the output layer's gaps measure only what "+
			"the f'' terms and the squared-error output contribute.\n\n",
			dn.Seed, 100*dn.Test.ErrorRate(), data.N)
		if err := report.MarkdownTable(w, []string{"layer", "parameters", "LM vs exact Gauss–Newton", "full recursion vs exact Hessian",
			"LM vs exact Hessian", "exact Gauss–Newton vs exact Hessian", "empirical Fisher vs exact Hessian"}, rows); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nSaliencies s = h·u²/2 from each estimator against those from the exact Hessian: Spearman rank "+
			"correlation, and the overlap of the 30%% least salient parameters (what OBD would delete first). "+
			"Seconds: wall time of the estimator on %d images, %d workers.\n\n", data.N, env.Workers)
		return report.MarkdownTable(w, []string{"estimator", "Spearman ρ vs exact Hessian", "overlap of lowest 30%", "seconds"}, ranks)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}
