package report

import (
	"math"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	ref := []Point{
		{Method: "obd", Scope: "global", Seed: 1, Step: 0, TestError: 0.02, TrainMSE: 0.3, PredictedDelta: math.NaN()},
		{Method: "obd", Scope: "global", Seed: 1, Step: 1, TestError: 0.03, TrainMSE: 0.4, PredictedDelta: 0.1},
		{Method: "obd", Scope: "global", Seed: 1, Step: 1, Retrained: true, TestError: 0.025, TrainMSE: 0.35, PredictedDelta: math.NaN()},
	}
	same := append([]Point(nil), ref...)
	if c := Compare(ref, same); !c.Identical() || c.Rows != 3 || c.String() != "identical to the reference (3 rows)" {
		t.Errorf("same points: %v", c)
	}
	// A difference below the tenth significant digit is no difference:
	// the rerun's points are compared as points.csv writes them.
	same[1].TrainMSE = 0.4 + 1e-15
	if c := Compare(ref, same); !c.Identical() {
		t.Errorf("1e-15 apart: %v", c)
	}
	got := append([]Point(nil), ref...)
	got[1].TestError = 0.031
	got[2].TestError = 0.0265
	got[2].PredictedDelta = 0.2
	got = got[1:] // the dense row is missing
	got = append(got, Point{Method: "magnitude", Scope: "global", Seed: 1})
	c := Compare(ref, got)
	if c.Identical() || c.Rows != 2 || len(c.Missing) != 1 || len(c.Extra) != 1 {
		t.Fatalf("comparison %+v", c)
	}
	s := c.String()
	for _, want := range []string{
		"1 missing, first obd/global seed 1 step 0",
		"1 new, first magnitude/global seed 1 step 0",
		"test_error: largest difference 0.0015 at obd/global seed 1 step 1 retrained (reference 0.025, now 0.0265)",
		"predicted_delta: largest difference +Inf at obd/global seed 1 step 1 retrained (reference NaN, now 0.2)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("%s\nlacks %q", s, want)
		}
	}
}

// A reference written before a column leaves it empty: the new values are
// not compared with nothing, and the comparison says which columns it
// could not compare.
func TestCompareOlderReference(t *testing.T) {
	nan := math.NaN()
	ref := []Point{{Method: "obd", Scope: "global", Seed: 1, Step: 1, Retrained: true, TestError: 0.02,
		PredictedDelta: nan, LayersCutOff: NotRecorded, ValidMSE: nan, ValidError: nan, RetrainEpochs: NotRecorded}}
	got := []Point{ref[0]}
	got[0].LayersCutOff, got[0].RetrainEpochs = 0, 5
	c := Compare(ref, got)
	if !c.Identical() || c.String() != "identical to the reference (1 rows; not in the reference, so not compared: layers_cut_off, retrain_epochs)" {
		t.Errorf("older reference: %v", c)
	}
	// The optional columns are numbers too: the largest difference is the
	// largest, not the first row's, and it is finite.
	ref2 := []Point{ref[0], ref[0]}
	ref2[1].Step = 2
	for i := range ref2 {
		ref2[i].ValidError, ref2[i].RetrainEpochs, ref2[i].LayersCutOff = 0.018, 5, 0
	}
	got2 := append([]Point(nil), ref2...)
	got2[0].ValidError, got2[1].ValidError = 0.019, 0.021
	got2[0].RetrainEpochs, got2[1].RetrainEpochs = 7, 15
	got2[1].LayersCutOff = NotRecorded
	s := Compare(ref2, got2).String()
	for _, want := range []string{
		"valid_error: largest difference 0.003 at obd/global seed 1 step 2 retrained (reference 0.018, now 0.021)",
		"retrain_epochs: largest difference 10 at obd/global seed 1 step 2 retrained (reference 5, now 15)",
		"layers_cut_off: largest difference +Inf at obd/global seed 1 step 2 retrained (reference 0, now )",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("%s\nlacks %q", s, want)
		}
	}
	// The other way round, a value the new points lack is a difference.
	if c := Compare(got, ref); c.Identical() || len(c.Differences) != 2 {
		t.Errorf("new points without values the reference has: %+v", c)
	}
}
