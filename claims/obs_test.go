package claims

import (
	"math"
	"slices"
	"testing"

	"obd/report"
)

// dampings is a oneshot sweep of three OBS dampings, OBD, magnitude and
// obs-layerwise over two seeds at 10% and 50% deleted, with validation
// columns: obs(damping=0.01) has the lowest mean validation error,
// obs(damping=0.001) ties with it at 10% and loses at 50%.
func dampings() []report.Point {
	type row struct {
		m            string
		train, valid [2]float64 // at 10%, 50%
	}
	rows := []row{
		{"magnitude", [2]float64{1.3, 3}, [2]float64{0.05, 0.3}},
		{"obd", [2]float64{1.2, 2}, [2]float64{0.04, 0.2}},
		{"obs(damping=0.001)", [2]float64{1.1, 2.5}, [2]float64{0.03, 0.2}},
		{"obs(damping=0.01)", [2]float64{1.1, 1.5}, [2]float64{0.03, 0.1}},
		{"obs(damping=0.1)", [2]float64{1.15, 1.8}, [2]float64{0.04, 0.15}},
		{"obs-layerwise", [2]float64{1, 1}, [2]float64{0, 0}},
	}
	var pts []report.Point
	for _, r := range rows {
		for seed := uint64(1); seed <= 2; seed++ {
			d := pt(r.m, "global", seed, 0, 0, false, 1, 0.02, 0)
			d.ValidError, d.ValidMSE = 0.02, 1
			pts = append(pts, d)
			for i, f := range []float64{0.1, 0.5} {
				p := pt(r.m, "global", seed, i+1, f, false, r.train[i], r.valid[i], 0)
				p.ValidError, p.ValidMSE = r.valid[i], r.train[i]
				pts = append(pts, p)
			}
		}
	}
	return pts
}

func TestFamily(t *testing.T) {
	got := Family(dampings(), "obs")
	want := []string{"obs(damping=0.001)", "obs(damping=0.01)", "obs(damping=0.1)"}
	if !slices.Equal(got, want) {
		t.Errorf("Family(obs) = %q, want %q (obs-layerwise is another method)", got, want)
	}
	if got := Family(dampings(), "obd"); !slices.Equal(got, []string{"obd"}) {
		t.Errorf("Family(obd) = %q, want [obd]", got)
	}
}

func TestChooseSetting(t *testing.T) {
	pts := dampings()
	labels := Family(pts, "obs")
	s, best, ok := ChooseSetting(pts, labels, false)
	if !ok || labels[best] != "obs(damping=0.01)" {
		t.Fatalf("ChooseSetting chose %d (ok %v) of %q, want obs(damping=0.01)", best, ok, labels)
	}
	if math.Abs(s[best].ValidError-0.065) > 1e-12 || s[best].Levels != 2 {
		t.Errorf("chosen setting %+v, want mean validation error 0.065 over 2 levels", s[best])
	}
	// A tie on validation error is broken by the validation objective:
	// obs(damping=0.1) gets obs(damping=0.01)'s errors and a lower objective.
	for i := range pts {
		if pts[i].Method == "obs(damping=0.1)" && pts[i].Step > 0 {
			pts[i].ValidError = []float64{0.03, 0.1}[pts[i].Step-1]
			pts[i].ValidMSE = 0.5
		}
	}
	s, best, _ = ChooseSetting(pts, labels, false)
	if labels[best] != "obs(damping=0.1)" || s[1].ValidError != s[2].ValidError {
		t.Errorf("tie on validation error: chose %q (%+v), want obs(damping=0.1), the lower objective", labels[best], s)
	}
	// Retrained points are not looked at when asking for oneshot ones.
	if _, _, ok := ChooseSetting(pts, labels, true); ok {
		t.Error("ChooseSetting(retrained) chose a setting from a sweep without retraining")
	}
	// Without validation columns nothing can be chosen.
	for i := range pts {
		pts[i].ValidError, pts[i].ValidMSE = math.NaN(), math.NaN()
	}
	if _, best, ok := ChooseSetting(pts, labels, false); ok {
		t.Errorf("ChooseSetting chose %d with no validation measurements", best)
	}
}

func TestOrdered(t *testing.T) {
	pts := dampings()
	o, err := Ordered(pts, "", false, TrainObjective, 0.1, 0.5, "magnitude", "obd", "obs(damping=0.01)")
	if err != nil || o.Ordered != 2 || o.N != 2 || len(o.Broken) != 0 {
		t.Errorf("magnitude > obd > obs(0.01): %+v, %v; want ordered at 2 of 2", o, err)
	}
	o, _ = Ordered(pts, "", false, TrainObjective, 0.1, 0.5, "magnitude", "obd", "obs(damping=0.001)")
	if o.Ordered != 1 || o.N != 2 || len(o.Broken) != 1 || o.Broken[0] != "50%: obs(damping=0.001) not below obd" {
		t.Errorf("magnitude > obd > obs(0.001): %+v; want ordered at 1 of 2, broken at 50%% by obs", o)
	}
	// Equal means are not a strict order.
	o, _ = Ordered(pts, "", false, TrainObjective, 0.1, 0.1, "obs(damping=0.001)", "obs(damping=0.01)")
	if o.Ordered != 0 || o.N != 1 {
		t.Errorf("equal means: %+v; want ordered at 0 of 1", o)
	}
	// A method without points at a level breaks the order there.
	o, _ = Ordered(pts, "per-layer", false, TrainObjective, 0, 1, "magnitude", "obs-layerwise")
	if o.N != 0 {
		t.Errorf("no per-layer points: %+v; want nothing checked", o)
	}
	o, _ = Ordered(pts, "", false, TrainObjective, 0, 1, "magnitude", "missing")
	if o.Ordered != 0 || o.N != 2 || o.Broken[0] != "10%: missing not measured" {
		t.Errorf("a method with no points: %+v; want 0 of 2, not measured", o)
	}
	if _, err := Ordered(pts, "", false, TrainObjective, 0, 1, "magnitude"); err == nil {
		t.Error("Ordered with one method: no error")
	}
}
