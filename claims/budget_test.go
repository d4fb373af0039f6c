package claims

import (
	"math"
	"testing"

	"obd/report"
)

// budgetSweep is an iterative sweep over two seeds: dense, then 60%
// deleted before and after retraining, for obd and magnitude.
func budgetSweep() []report.Point {
	var pts []report.Point
	add := func(m string, seed uint64, step int, f float64, re bool, train, test, valid float64, epochs int) {
		p := pt(m, "global", seed, step, f, re, train, test, 0)
		p.ValidError, p.ValidMSE, p.RetrainEpochs = valid, train, epochs
		pts = append(pts, p)
	}
	for seed := uint64(1); seed <= 2; seed++ {
		s := float64(seed - 1)
		for _, m := range []string{"obd", "magnitude"} {
			add(m, seed, 0, 0, false, 0.4, 0.02+0.001*s, 0.021, 0)
		}
		add("obd", seed, 1, 0.6, false, 1.2, 0.08, 0.08, 0)
		add("obd", seed, 1, 0.6, true, 0.4, 0.023+0.001*s, 0.024, 3+int(s))
		add("magnitude", seed, 1, 0.6, false, 1.1, 0.06, 0.06, 0)
		add("magnitude", seed, 1, 0.6, true, 0.8, 0.03+0.003*s, 0.033, 5)
	}
	return pts
}

func TestRecoveryAt(t *testing.T) {
	r := RecoveryAt(budgetSweep(), "obd", 0.6)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if r.Test.N != 2 || !near(r.Test.Mean, 0.0235) {
		t.Errorf("test %+v, want 2 seeds, mean 0.0235", r.Test)
	}
	if !near(r.TestGap.Mean, 0.003) || !near(r.TestGap.Std, 0) {
		t.Errorf("test gap %+v, want 0.003 in both seeds (paired)", r.TestGap)
	}
	if !near(r.ValidGap.Mean, 0.003) || r.Valid.N != 2 {
		t.Errorf("validation %+v, gap %+v; want 2 seeds, gap 0.003", r.Valid, r.ValidGap)
	}
	if !near(r.TrainDBGap.Mean, 0) {
		t.Errorf("objective gap %+v dB, want 0 (back to the dense objective)", r.TrainDBGap)
	}
	if !near(r.Epochs.Mean, 3.5) {
		t.Errorf("epochs %+v, want 3.5 (3 and 4)", r.Epochs)
	}
	m := RecoveryAt(budgetSweep(), "magnitude", 0.6)
	if want := 10 * math.Log10(2); !near(m.TrainDBGap.Mean, want) {
		t.Errorf("magnitude's objective gap %v dB, want %v (0.8 against 0.4)", m.TrainDBGap.Mean, want)
	}
	// Without validation columns the validation statistics are empty.
	pts := budgetSweep()
	for i := range pts {
		pts[i].ValidError = math.NaN()
	}
	if r := RecoveryAt(pts, "obd", 0.6); r.Valid.N != 0 || r.ValidGap.N != 0 {
		t.Errorf("no validation images: %+v %+v, want empty", r.Valid, r.ValidGap)
	}
}

func TestLeadAt(t *testing.T) {
	// magnitude − obd: seed 1 0.030−0.023, seed 2 0.033−0.024.
	l := LeadAt(budgetSweep(), "obd", "magnitude", 0.6)
	if l.N != 2 || math.Abs(l.Mean-0.008) > 1e-12 {
		t.Errorf("lead %+v, want 0.008 over 2 seeds", l)
	}
	if l := LeadAt(budgetSweep(), "obd", "random", 0.6); l.N != 0 {
		t.Errorf("lead over a method with no points: %+v", l)
	}
}

// budgetOf is one budget's sweep over two seeds: dense nets at validation
// error 0.021, and obd retrained at 60% deleted with the given validation
// errors per seed, epochs retraining epochs a step.
func budgetOf(def string, epochs int, valid ...float64) Budget {
	var pts []report.Point
	for i, v := range valid {
		seed := uint64(i + 1)
		d := pt("obd", "global", seed, 0, 0, false, 0.4, 0.02, 0)
		d.ValidError = 0.021
		q := pt("obd", "global", seed, 1, 0.6, true, 0.5, 0.9, 0) // test error 0.9: the choice must not read it
		q.ValidError, q.RetrainEpochs = v, epochs
		pts = append(pts, d, q)
	}
	return Budget{Def: def, Points: pts}
}

func TestChooseBudget(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	// Given out of cost order: the choice orders by epochs per step.
	budgets := []Budget{
		budgetOf("ten", 10, 0.028, 0.029),
		budgetOf("one", 1, 0.030, 0.031),
		budgetOf("three", 3, 0.0295, 0.0312),
	}
	// Rule 1: "one" is within 0.01 of the dense nets' 0.021 (gap 0.0095),
	// and cheapest.
	if c := ChooseBudget(budgets, "obd", 0.6, 0.01); !c.OK || !c.Recovers || c.Chosen != 1 {
		t.Errorf("tol 0.01: %+v, want budget 1 (one), recovering", c)
	}
	// Rule 2: none within 0.005. The best is "ten" (0.0285); "one" is
	// 0.002 worse in both seeds (std 0) and "three" 0.0015 and 0.0022 worse
	// (mean 0.00185 > std): neither within the spread, so "ten".
	c := ChooseBudget(budgets, "obd", 0.6, 0.005)
	if !c.OK || c.Recovers || c.Chosen != 0 || c.Best != 0 || c.Diff.N != 0 {
		t.Errorf("tol 0.005: %+v, want the best, budget 0 (ten)", c)
	}
	// "three" noisier: -0.001 and +0.0015 from "ten", mean 0.00025 below
	// its std: within the spread, and cheaper than "ten".
	budgets[2] = budgetOf("three", 3, 0.027, 0.0305)
	c = ChooseBudget(budgets, "obd", 0.6, 0.005)
	if !c.OK || c.Recovers || c.Chosen != 2 || c.Best != 0 || c.Diff.N != 2 || !near(c.Diff.Mean, 0.00025) {
		t.Errorf("noisy three: %+v, want budget 2 (three) within the spread of budget 0", c)
	}
	// No validation errors: nothing to choose on.
	for i := range budgets {
		for j := range budgets[i].Points {
			budgets[i].Points[j].ValidError = math.NaN()
		}
	}
	if c := ChooseBudget(budgets, "obd", 0.6, 0.005); c.OK {
		t.Errorf("without validation errors: %+v, want not OK", c)
	}
}
