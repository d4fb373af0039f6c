package claims

import (
	"math"
	"strings"
	"testing"
)

const baselinesHeader = "definition,network,seed,params,epochs,train_n,test_n,train_loss,train_error,test_loss,test_error,seconds_per_epoch,digit_size\n"

func TestParseBaselines(t *testing.T) {
	rows, recs, err := ParseBaselines("b.csv", strings.NewReader(baselinesHeader+
		"a,lenet1,1,2578,30,60000,10000,0.39,0.0208,0.38,0.0201,9.9,0\n"+
		"b,lenet1,1,2578,60,60000,10000,0.39,0.0179,0.38,0.0169,17,16\n"+
		"c,lenet5,2,431080,15,60000,10000,0.005,0.0006,0.02,0.0096,40,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || len(rows) != 3 {
		t.Fatalf("%d records, %d rows", len(recs), len(rows))
	}
	if r := rows[1]; r.Definition != "b" || r.Epochs != 60 || r.DigitSize != 16 || r.TrainError != 0.0179 || r.SecondsPerEpoch != 17 {
		t.Errorf("row b = %+v", r)
	}
	best, n := BestBaseline(rows, "lenet1")
	if best.Definition != "b" || n != 2 {
		t.Errorf("best lenet1 = %s of %d, want b of 2", best.Definition, n)
	}
	if _, n := BestBaseline(rows, "lenet300"); n != 0 {
		t.Errorf("lenet300: %d rows", n)
	}
	if r, ok := BaselineOf(rows, "c"); !ok || r.Seed != "2" {
		t.Errorf("BaselineOf(c) = %+v, %v", r, ok)
	}
	// Only the required columns: the others are NaN or 0.
	rows, _, err = ParseBaselines("b.csv", strings.NewReader("definition,network,seed,test_error\nx,lenet1,1,0.02\n"))
	if err != nil || !math.IsNaN(rows[0].TrainError) || rows[0].Epochs != 0 {
		t.Errorf("minimal file: %+v, %v", rows, err)
	}
	for _, tc := range []struct{ body, want string }{
		{"", "b.csv: empty"},
		{"definition,network,seed\nx,lenet1,1\n", `b.csv: line 1: no column "test_error"`},
		{baselinesHeader + "a,lenet1,1,2578,30,60000,10000,0.39,0.02,0.38,two,9.9,0\n", `b.csv: line 2: test_error "two"`},
		{baselinesHeader + "a,lenet1,1,2578,30,60000,10000,0.39,0.02,0.38,1.5,9.9,0\n", `b.csv: line 2: test_error "1.5"`},
		{baselinesHeader + "a,lenet1,1,2578,30,60000,10000,0.39,0.02,0.38,0.02,slow,0\n", `b.csv: line 2: seconds_per_epoch "slow"`},
		{baselinesHeader + "a,lenet1\n", "b.csv"},
	} {
		if _, _, err := ParseBaselines("b.csv", strings.NewReader(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want one containing %q", tc.body, err, tc.want)
		}
	}
	if !Meets(0.017, 0.017) || Meets(0.0171, 0.017) {
		t.Error("Meets")
	}
}

// A file written before the did_not_learn column still marks the rows at
// chance level (the error branch of study.ErrDidNotLearn's rule): results/
// baselines/baselines.csv holds such a row (lenet1-sdlm), and read as
// learned it would be a candidate for a choice and an unmarked row of
// EXPERIMENTS.md.
func TestParseBaselinesOldFileMarksChance(t *testing.T) {
	rows, _, err := ParseBaselines("b.csv", strings.NewReader(baselinesHeader+
		"a,lenet1,1,2578,30,60000,10000,0.39,0.0208,0.38,0.0201,9.9,0\n"+
		"dead,lenet1,1,2578,30,60000,10000,10.8,0.9013,10.9,0.902,4.5,0\n"+
		"edge,lenet1,1,2578,30,60000,10000,8.4,0.8,8.4,0.79,4.5,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].DidNotLearn != "" {
		t.Errorf("a learned, marked %q", rows[0].DidNotLearn)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r.DidNotLearn, "at chance level") || !strings.Contains(r.DidNotLearn, "predates") {
			t.Errorf("%s: DidNotLearn = %q, want the chance-level reason", r.Definition, r.DidNotLearn)
		}
	}
	// With the column, the file's own cells are the verdict: an empty cell
	// is a net that learned by the full rule.
	h := strings.TrimSuffix(baselinesHeader, "\n") + ",did_not_learn\n"
	rows, _, err = ParseBaselines("b.csv", strings.NewReader(h+"x,lenet1,1,2578,30,60000,10000,0.39,0.85,0.38,0.85,9.9,0,\n"))
	if err != nil || rows[0].DidNotLearn != "" {
		t.Errorf("with the column: %+v, %v", rows, err)
	}
}

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest("m.json", strings.NewReader(`{"definition": {"name": "d", "network": "lenet5",
		"training": {"epochs": 15, "lr": 0.01}, "retraining": {"epochs": 3}, "methods": ["obd", "random"],
		"scopes": ["global"], "grid": [0.5, 0.9], "seeds": [1, 2, 3]},
		"workers": 2, "dense": [{"seed": 3, "seconds": 700}],
		"units": [{"method": "obd", "seed": 1, "seconds": 100.5}, {"method": "random", "seed": 1, "seconds": 99.5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.UnitSeconds() != 200 || m.DenseSeconds() != 700 || m.Seconds() != 900 {
		t.Errorf("seconds %v %v %v", m.UnitSeconds(), m.DenseSeconds(), m.Seconds())
	}
	if d := m.Definition; d.Training.Epochs != 15 || d.Retraining.Epochs != 3 || len(d.Seeds) != 3 || d.Grid[1] != 0.9 {
		t.Errorf("definition %+v", d)
	}
	for _, body := range []string{`{"definition": {}}`, `{`, `[]`} {
		if _, err := ParseManifest("m.json", strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), "m.json") {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}

func TestParseTables(t *testing.T) {
	ts := ParseTables("# T\n\ntext | not a table\n\n| layer | n | gap |\n|:--|:--|--:|\n| h1 | 104 | 0.870 |\n| out | 1930 | 0.000× |\n\nafter\n\n" +
		"| a |\n|---|\n| x |\n")
	if len(ts) != 2 || len(ts[0].Rows) != 2 || ts[1].Rows[0][0] != "x" {
		t.Fatalf("tables %+v", ts)
	}
	xs, err := ts[0].Column("gap", "out", "h1")
	if err != nil || len(xs) != 2 || xs[0] != 0.870 || xs[1] != 0 {
		t.Errorf("gap column %v, %v; want [0.87 0] in row order", xs, err)
	}
	if ns, err := ts[0].Column("n"); err != nil || ns[1] != 1930 {
		t.Errorf("n column %v, %v", ns, err)
	}
	if _, err := ts[0].Column("nope"); err == nil {
		t.Error("no error for an unknown column")
	}
	if _, err := ts[0].Column("layer"); err == nil {
		t.Error("no error for a column of names")
	}
}

// Two definitions that share their dense nets count them once.
func TestWorkSeconds(t *testing.T) {
	var a, b Manifest
	a.Definition.Network, b.Definition.Network = "lenet1", "lenet1"
	a.Definition.Training.Epochs, b.Definition.Training.Epochs = 20, 20
	a.Dense = []Work{{Method: "dense", Seed: 1, Seconds: 100}, {Method: "dense", Seed: 2, Seconds: 110}}
	b.Dense = []Work{{Method: "dense", Seed: 1, Seconds: 100, Cached: true}, {Method: "dense", Seed: 2, Seconds: 110, Cached: true}}
	a.Units = []Work{{Seconds: 5}, {Seconds: 6}}
	b.Units = []Work{{Seconds: 7}}
	if got := WorkSeconds(&a, &b); got != 228 {
		t.Errorf("shared dense nets: %v seconds, want 228", got)
	}
	b.Definition.Training.Epochs = 30 // other nets
	if got := WorkSeconds(&a, &b); got != 438 {
		t.Errorf("distinct dense nets: %v seconds, want 438", got)
	}
	b.Definition.Training.Epochs = 20
	b.Definition.Training.Precision = "float32" // other nets too
	if got := WorkSeconds(&a, &b); got != 438 {
		t.Errorf("dense nets trained in float32 and float64: %v seconds, want 438", got)
	}
}

// Validation chooses among each definition's first seed by validation
// error, whatever the test errors say; rows without a validation error
// and other networks are not candidates.
func TestChosenOnValidation(t *testing.T) {
	const h = "definition,network,seed,test_error,valid_n,valid_error\n"
	rows, _, err := ParseBaselines("b.csv", strings.NewReader(h+
		"test-best,lenet1,1,0.0150,,\n"+ // lowest test error, no validation set
		"a,lenet1,1,0.0170,5000,0.0190\n"+
		"b,lenet1,1,0.0180,5000,0.0160\n"+ // chosen: worse on test than a
		"a,lenet1,2,0.0190,5000,0.0100\n"+ // a's second seed: not compared
		"c,lenet1,1,0.0160,5000,0.0160\n"+ // a tie with b: b came first
		"d,lenet5,1,0.0090,5000,0.0010\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(rows[0].ValidError) || rows[0].ValidN != 0 || rows[1].ValidN != 5000 || rows[1].ValidError != 0.019 {
		t.Errorf("validation columns read as %+v, %+v", rows[0], rows[1])
	}
	got, n, err := ChosenOnValidation(rows, "lenet1")
	if err != nil || got.Definition != "b" || got.Seed != "1" || n != 3 {
		t.Errorf("lenet1: chose %s seed %s of %d (%v), want b seed 1 of 3", got.Definition, got.Seed, n, err)
	}
	if _, n, err := ChosenOnValidation(rows, "lenet300"); n != 0 || err != nil {
		t.Errorf("lenet300: %d candidates, %v", n, err)
	}
	rows = append(rows, Baseline{Definition: "e", Network: "lenet1", Seed: "1", ValidN: 1000, ValidError: 0.01})
	if _, _, err := ChosenOnValidation(rows, "lenet1"); err == nil || !strings.Contains(err.Error(), "not comparable") {
		t.Errorf("held-out sets of 5000 and 1000 images: err = %v", err)
	}
	if _, _, err := ParseBaselines("b.csv", strings.NewReader(h+"a,lenet1,1,0.02,5000,low\n")); err == nil || !strings.Contains(err.Error(), `line 2: valid_error "low"`) {
		t.Errorf("bad valid_error: %v", err)
	}
}

// A tie in validation error goes to the lower validation objective, not to
// the order of the rows (nor to the test error); without objectives, to the
// earlier row.
func TestChosenOnValidationTie(t *testing.T) {
	const h = "definition,network,seed,test_error,valid_n,valid_loss,valid_error\n"
	rows, _, err := ParseBaselines("b.csv", strings.NewReader(h+
		"first,lenet5,1,0.0080,5000,0.0319,0.0090\n"+ // lower test error, higher objective
		"second,lenet5,1,0.0093,5000,0.0291,0.0090\n"+ // the tie's lower objective: chosen
		"worse,lenet5,1,0.0070,5000,0.0200,0.0096\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rows[1].ValidLoss != 0.0291 {
		t.Errorf("valid_loss read as %v", rows[1].ValidLoss)
	}
	if got, n, err := ChosenOnValidation(rows, "lenet5"); err != nil || got.Definition != "second" || n != 3 {
		t.Errorf("chose %s of %d (%v), want second of 3", got.Definition, n, err)
	}
	for i := range rows {
		rows[i].ValidLoss = math.NaN()
	}
	if got, _, _ := ChosenOnValidation(rows, "lenet5"); got.Definition != "first" {
		t.Errorf("without objectives: chose %s, want the earlier row, first", got.Definition)
	}
	// A recipe whose first seed did not learn is no candidate, whatever its
	// validation error.
	dead, _, err := ParseBaselines("b.csv", strings.NewReader(strings.TrimSuffix(h, "\n")+",did_not_learn\n"+
		"dead,lenet5,1,0.0010,5000,0.0100,0.0010,training did not learn\n"+
		"alive,lenet5,1,0.0090,5000,0.0300,0.0090,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, n, err := ChosenOnValidation(dead, "lenet5"); err != nil || got.Definition != "alive" || n != 1 {
		t.Errorf("with a net that did not learn: chose %s of %d (%v), want alive of 1", got.Definition, n, err)
	}
	if _, _, err := ParseBaselines("b.csv", strings.NewReader(h+"a,lenet5,1,0.02,5000,-1,0.01\n")); err == nil || !strings.Contains(err.Error(), `line 2: valid_loss "-1"`) {
		t.Errorf("negative valid_loss: %v", err)
	}
}
