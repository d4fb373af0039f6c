package claims

import (
	"testing"

	"obd/report"
)

func TestCutOff(t *testing.T) {
	pt := func(method string, seed uint64, step int, retrained bool, f float64, cut int) report.Point {
		return report.Point{Method: method, Scope: "per-layer", Seed: seed, Step: step, Retrained: retrained,
			FractionRemoved: f, LayersCutOff: cut}
	}
	pts := []report.Point{
		pt("magnitude", 1, 0, false, 0, 0), pt("magnitude", 1, 1, false, 0.9, 0), pt("magnitude", 1, 2, false, 0.95, 5),
		pt("magnitude", 2, 0, false, 0, 0), pt("magnitude", 2, 1, false, 0.9, 0), pt("magnitude", 2, 2, false, 0.96, 0),
		pt("random", 1, 2, true, 0.95, 5),
	}
	got := CutOff(pts)
	want := []CutOffLevel{
		{Method: "magnitude", Scope: "per-layer", Fraction: 0.955, Seeds: 1, Of: 2},
		{Method: "random", Scope: "per-layer", Retrained: true, Fraction: 0.95, Seeds: 1, Of: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("CutOff = %+v, want %+v", got, want)
	}
	for i := range got {
		if g, w := got[i], want[i]; g.Method != w.Method || g.Retrained != w.Retrained || g.Seeds != w.Seeds ||
			g.Of != w.Of || g.Fraction < w.Fraction-1e-12 || g.Fraction > w.Fraction+1e-12 {
			t.Errorf("level %d: %+v, want %+v", i, g, w)
		}
	}
	if PredatesCutOff(pts) {
		t.Error("points with the count predate it")
	}
	pts[3].LayersCutOff = report.NotRecorded
	if !PredatesCutOff(pts) {
		t.Error("a point without the count does not predate it")
	}
}
