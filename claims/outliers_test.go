package claims

import (
	"testing"

	"obd/report"
)

// DenseOutliers flags the seed whose dense training objective is above
// 1.25 times the median of the seeds', and nothing with fewer than three
// seeds. The objectives are those of lenet1-obs's dense nets (gonum:
// 0.385, 0.427, 0.572) and lenet1-obs-recompute's seed 3 (OpenBLAS: 5.10).
func TestDenseOutliers(t *testing.T) {
	dense := func(objs ...float64) []report.Point {
		var pts []report.Point
		for i, o := range objs {
			pts = append(pts,
				report.Point{Method: "obs", Scope: "global", Seed: uint64(i + 1), TrainMSE: o, TrainError: o / 20, TestError: o / 20},
				report.Point{Method: "obs", Scope: "global", Seed: uint64(i + 1), Step: 1, FractionRemoved: 0.5, TrainMSE: 10 * o})
		}
		return pts
	}
	for _, tc := range []struct {
		name string
		objs []float64
		want []uint64
	}{
		{"gonum", []float64{0.385, 0.427, 0.572}, []uint64{3}},
		{"openblas", []float64{0.385, 0.427, 5.10}, []uint64{3}},
		{"well trained", []float64{0.403, 0.430, 0.409}, nil},
		{"at the factor", []float64{0.4, 0.4, 0.5}, nil},
		{"two seeds", []float64{0.385, 5.10}, nil},
		{"four seeds", []float64{0.4, 0.4, 0.6, 0.41}, []uint64{3}},
	} {
		got := DenseOutliers(dense(tc.objs...))
		if len(got) != len(tc.want) {
			t.Errorf("%s: DenseOutliers = %+v, want seeds %v", tc.name, got, tc.want)
			continue
		}
		for i, o := range got {
			if o.Seed != tc.want[i] || o.TrainObjective != tc.objs[o.Seed-1] {
				t.Errorf("%s: outlier %+v, want seed %d", tc.name, o, tc.want[i])
			}
		}
	}
	if got := DenseOutliers(dense(0.385, 0.427, 0.572)); len(got) == 1 && got[0].Median != 0.427 {
		t.Errorf("median %v, want 0.427", got[0].Median)
	}
}
