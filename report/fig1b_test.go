package report

import (
	"math"
	"reflect"
	"testing"
)

// Fig. 1b shows every method whose points record a predicted_delta, by the
// data and not by the name: with obs added beside obd, both, each curve
// prefixed by its method; a method that predicts nothing (NaN) is left out
// whatever its name; with obs alone, its curves are "actual" and
// "predicted" under its name.
func TestPaperFig1PredictingMethods(t *testing.T) {
	var pts []Point
	for _, p := range sweep() {
		if p.Schedule != "oneshot" {
			continue
		}
		pts = append(pts, p)
		if p.Method == "obd" {
			q := p
			q.Method = "obs(damping=0.01)"
			q.TrainMSE, q.PredictedDelta = p.TrainMSE/2, p.PredictedDelta/2
			pts = append(pts, q)
			r := p
			r.Method, r.PredictedDelta = "obd-full", math.NaN()
			pts = append(pts, r)
		}
	}
	b := PaperFig1(pts)[1]
	var labels []string
	for _, c := range b.Curves {
		labels = append(labels, c.Label)
	}
	want := []string{"obd actual", "obs(damping=0.01) actual", "obd predicted", "obs(damping=0.01) predicted"}
	if !reflect.DeepEqual(labels, want) || b.Title != "Fig. 1b: predicted vs actual objective" {
		t.Errorf("fig1b %q: curves %q, want %q", b.Title, labels, want)
	}
	pred := curve(t, b, "obs(damping=0.01) predicted")
	if w := (0.02*1.1/2 + 0.001*4 + 0.02*1.2/2 + 0.001*4) / 2; math.Abs(pred.Y[2].Mean-w) > 1e-15 {
		t.Errorf("obs predicted at step 2: %v, want %v", pred.Y[2].Mean, w)
	}

	var alone []Point
	for _, p := range pts {
		if p.Method != "obd" {
			alone = append(alone, p)
		}
	}
	b = PaperFig1(alone)[1]
	if len(b.Curves) != 2 || b.Curves[0].Label != "actual" || b.Curves[1].Label != "predicted" ||
		b.Title != "Fig. 1b: obs(damping=0.01), predicted vs actual objective" {
		t.Errorf("obs alone: %q, curves %q and %q", b.Title, b.Curves[0].Label, b.Curves[1].Label)
	}
}
