package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"obd/model"
	"obd/model/nettest"
)

// The plateau rule stops after Patience epochs in a row without a relative
// improvement of MinDelta over the best so far, and never without
// patience.
func TestPlateau(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name     string
		patience int
		minDelta float64
		objs     []float64
		stopAt   int // 1-based epoch it stops after; 0: never
	}{
		{"no patience", 0, 0, []float64{1, 2, 3, 4}, 0},
		{"improving", 2, 0, []float64{5, 4, 3, 2, 1}, 0},
		{"flat", 2, 0, []float64{1, 1, 1, 1}, 3},
		{"patience 1", 1, 0, []float64{3, 2, 2.5}, 3},
		{"worse then better resets", 2, 0, []float64{3, 3.1, 2, 2.1, 2.2}, 5},
		{"improvement below min_delta", 2, 0.1, []float64{1, 0.95, 0.91, 0.89}, 3},
		{"improvement above min_delta", 2, 0.1, []float64{1, 0.85, 0.7, 0.6}, 0},
		{"NaN is no improvement", 2, 0, []float64{1, nan, nan}, 3},
		{"NaN first", 2, 0, []float64{nan, 1, 1, 1}, 4},
	} {
		p := &Plateau{Patience: c.patience, MinDelta: c.minDelta}
		stopped := 0
		for i, v := range c.objs {
			if p.Stop(v) {
				stopped = i + 1
				break
			}
		}
		if stopped != c.stopAt {
			t.Errorf("%s: stopped after epoch %d, want %d", c.name, stopped, c.stopAt)
		}
	}
}

// SGD stops after the epoch whose callback says so.
func TestSGDStopsWhenAsked(t *testing.T) {
	net := nettest.TinyNets()[0]
	theta, d := nettest.RandomProblem(net, 40, 1)
	r := Recipe{Epochs: 5, BatchSize: 8, LR: 0.01}
	ran := 0
	if err := SGD(context.Background(), model.NewEngine(net, 1), theta, nil, d, r, 1, func(ep Epoch) bool {
		ran = ep.Epoch
		return ep.Epoch == 2
	}); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Errorf("ran %d epochs, want 2", ran)
	}
}

func TestPlateauSettings(t *testing.T) {
	ok := Recipe{Epochs: 5, BatchSize: 8, LR: 0.01}
	for _, c := range []struct {
		name string
		edit func(*Recipe)
		want string // "" valid
	}{
		{"none", func(*Recipe) {}, ""},
		{"train", func(r *Recipe) { r.Patience, r.Monitor = 2, OnTrain }, ""},
		{"validation with min_delta", func(r *Recipe) { r.Patience, r.Monitor, r.MinDelta = 2, OnValidation, 0.01 }, ""},
		{"no monitor", func(r *Recipe) { r.Patience = 2 }, "monitor: missing"},
		{"unknown monitor", func(r *Recipe) { r.Patience, r.Monitor = 2, "test" }, `monitor: "test"`},
		{"monitor alone", func(r *Recipe) { r.Monitor = OnTrain }, "monitor: \"train\" without patience"},
		{"min_delta alone", func(r *Recipe) { r.MinDelta = 0.1 }, "min_delta: 0.1 without patience"},
		{"negative patience", func(r *Recipe) { r.Patience = -1 }, "patience: -1"},
		{"min_delta NaN", func(r *Recipe) { r.Patience, r.Monitor, r.MinDelta = 1, OnTrain, math.NaN() }, "min_delta: NaN outside"},
	} {
		r := ok
		c.edit(&r)
		err := r.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
