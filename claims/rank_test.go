package claims

import (
	"math"
	"testing"
)

func TestRanks(t *testing.T) {
	got := Ranks([]float64{3, 1, 2, 1})
	want := []float64{3, 0, 2, 1} // the tie of 1s broken by index
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Ranks = %v, want %v", got, want)
		}
	}
}

func TestSpearman(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		{"same order", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 1000}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// Ranks 0 1 2 3 against 1 0 2 3: d² sums to 2, ρ = 1 − 6·2/(4·15) = 0.8.
		{"one swap", []float64{1, 2, 3, 4}, []float64{2, 1, 3, 4}, 0.8},
	} {
		if got := Spearman(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: ρ = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLowestOverlap(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	b := []float64{2, 1, 10, 9, 8, 7, 6, 5, 4, 3} // lowest 3: indices 0, 1, 9
	if got := LowestOverlap(a, b, 0.3); math.Abs(got-2.0/3) > 1e-12 {
		t.Errorf("overlap of the lowest 30%% = %v, want 2/3", got)
	}
	if got := LowestOverlap(a, a, 0.5); got != 1 {
		t.Errorf("self-overlap = %v, want 1", got)
	}
	if got := LowestOverlap(a, b, 0.05); !math.IsNaN(got) {
		t.Errorf("overlap of no entries = %v, want NaN", got)
	}
}
