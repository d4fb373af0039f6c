package claims

import (
	"fmt"
	"math"

	"obd/model"
	"obd/report"
)

// LevelLabel formats a deleted fraction as a percentage: whole when it is
// within 0.05 points of a whole percent (0.20016 → "20%", a grid level
// rounded to whole parameters), else with one decimal (0.9178 → "91.8%",
// Han et al.'s per-layer budgets' total), so that a label never claims a
// level the nets were not pruned to.
func LevelLabel(f float64) string {
	p := 100 * f
	if math.Abs(p-math.Round(p)) < 0.05 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// OneshotRows tabulates a oneshot sweep: per deleted fraction (the steps
// of methods[0]'s first seed), for each method the training objective in
// dB, 10·log10 of its mean over seeds, ± the standard deviation over seeds
// of each seed's dB, and the mean test error. The dB of the mean, not the
// mean of the dBs, so that the table orders methods as the verdicts' rules
// do, on the mean objective (Fig1a, BelowMagnitude, Ordered). The header
// is "deleted" and then the methods.
func OneshotRows(pts []report.Point, methods []string) (header []string, rows [][]string) {
	if len(pts) == 0 || len(methods) == 0 {
		return nil, nil
	}
	seed := pts[0].Seed
	for _, q := range Where(pts, func(p report.Point) bool { return p.Method == methods[0] && p.Seed == seed }) {
		row := []string{LevelLabel(q.FractionRemoved)}
		for _, m := range methods {
			at := Where(pts, func(p report.Point) bool { return p.Method == m && p.Step == q.Step })
			db := 10 * math.Log10(Describe(at, TrainObjective).Mean)
			row = append(row, fmt.Sprintf("%.2f ± %.2f dB, %.1f%%", db, Describe(at, TrainDB).Std, 100*Describe(at, TestError).Mean))
		}
		rows = append(rows, row)
	}
	return append([]string{"deleted"}, methods...), rows
}

// RetrainedRows tabulates a sweep with retraining: per deleted fraction
// (the dense net, then the retrained steps of the first pair's first
// seed), the test error after retraining, mean ± std over seeds, of every
// method–scope pair.
func RetrainedRows(pts []report.Point) (header []string, rows [][]string) {
	return errorRows(pts, true)
}

// OneshotErrorRows tabulates a sweep without retraining as RetrainedRows
// does one with: per deleted fraction (the dense net, then the steps of
// the first pair's first seed), the test error, mean ± std over seeds, of
// every method–scope pair.
func OneshotErrorRows(pts []report.Point) (header []string, rows [][]string) {
	return errorRows(pts, false)
}

func errorRows(pts []report.Point, retrained bool) (header []string, rows [][]string) {
	cols := Pairs(pts)
	if len(cols) == 0 {
		return nil, nil
	}
	header = []string{"deleted"}
	for _, c := range cols {
		header = append(header, c.Method+", "+c.Scope)
	}
	first, seed := cols[0], pts[0].Seed
	for _, q := range Where(pts, func(p report.Point) bool {
		return p.Method == first.Method && p.Scope == first.Scope && p.Seed == seed && (p.Retrained == retrained || p.Step == 0)
	}) {
		row := []string{LevelLabel(q.FractionRemoved)}
		for _, c := range cols {
			st := Describe(Where(pts, func(p report.Point) bool {
				return p.Method == c.Method && p.Scope == c.Scope && p.Step == q.Step && p.Retrained == q.Retrained
			}), TestError)
			row = append(row, fmt.Sprintf("%.2f ± %.2f%%", 100*st.Mean, 100*st.Std))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// PassRows tabulates PassTimes' ns/op per network of model.Names():
// milliseconds of the forward, gradient and LM Hessian-diagonal passes and
// the LM and full passes over the gradient pass. Networks without a
// gradient benchmark are left out.
func PassRows(m map[string]map[string]float64) (header []string, rows [][]string) {
	for _, name := range model.Names() {
		if g := m[name]["gradient"]; g > 0 {
			rows = append(rows, []string{name, fmt.Sprintf("%.1f", m[name]["forward"]/1e6), fmt.Sprintf("%.1f", g/1e6),
				fmt.Sprintf("%.1f", m[name]["hessian-lm"]/1e6), fmt.Sprintf("%.2f×", m[name]["hessian-lm"]/g),
				fmt.Sprintf("%.2f×", m[name]["hessian-full"]/g)})
		}
	}
	return []string{"network", "forward", "gradient", "Hessian diagonal (LM)", "LM / gradient", "full / gradient"}, rows
}

// PassRatio describes, over the networks with both benchmarks, the time of
// pass over the gradient pass's (pass is hessian-lm or hessian-full).
func PassRatio(m map[string]map[string]float64, pass string) report.Stat {
	var xs []float64
	for _, name := range model.Names() {
		if g, h := m[name]["gradient"], m[name][pass]; g > 0 && h > 0 {
			xs = append(xs, h/g)
		}
	}
	return report.Describe(xs)
}
