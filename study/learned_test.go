package study

import (
	"errors"
	"math"
	"strings"
	"testing"

	"obd/model"
)

func stats(loss float64, errRate float64) model.Stats {
	return model.Stats{Loss: loss * 1000, Errors: int(errRate * 1000), N: 1000}
}

// The did-not-learn rules, on the numbers of the nets that were once
// pruned as if they had learned.
func TestDidNotLearn(t *testing.T) {
	init := stats(2.3, 0.9)
	for _, c := range []struct {
		name  string
		final model.Stats
		want  string // "" for a net that learned
	}{
		{"learned", stats(0.05, 0.015), ""},
		{"weak but learned", stats(1.2, 0.35), ""},
		{"lenet300 at lr 1e6: finite, huge objective", stats(5.7e109, 0.9), "before"},
		{"lenet1 at lr 1e6: saturated", stats(2.0, 0.897), "chance level"},
		{"per-pattern rate too high: 90% training error", stats(1.9, 0.90), "chance level"},
		{"NaN", stats(math.NaN(), 0.9), "before"},
	} {
		err := checkDense(init, c.final, 10)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (!errors.Is(err, ErrDidNotLearn) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want ErrDidNotLearn mentioning %q", c.name, err, c.want)
		}
	}
	// A pruned net at chance is a measurement; an explosion is not.
	if err := checkRetraining(9.5, 9.0); err != nil {
		t.Errorf("pruned net still at chance after retraining: %v", err)
	}
	for _, after := range []float64{96, math.Inf(1), math.NaN()} {
		if err := checkRetraining(9.5, after); !errors.Is(err, ErrDidNotLearn) {
			t.Errorf("retraining to %v: err = %v", after, err)
		}
	}
}
