package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sweep builds a small fake sweep: lenet1, three methods, a oneshot
// schedule without retraining and an iterative one with, two seeds.
func sweep() []Point {
	var pts []Point
	for _, m := range []string{"obd", "magnitude", "random"} {
		for _, sched := range []string{"oneshot", "iterative"} {
			for _, seed := range []uint64{1, 2} {
				for step := range 5 {
					for _, retrained := range []bool{false, true} {
						if retrained && (sched == "oneshot" || step == 0) {
							continue
						}
						removed := 500 * step
						obj := 0.02 * (1 + float64(step*step)*0.1*float64(len(m))/3) * (1 + 0.1*float64(seed))
						if retrained {
							obj = 0.02 * (1 + 0.01*float64(step))
						}
						delta := math.NaN()
						if m == "obd" {
							delta = 0.002 * float64(step*step)
						}
						pts = append(pts, Point{
							Definition: "paper", Network: "lenet1", Method: m, Scope: "global", Schedule: sched,
							Seed: seed, Step: step, Retrained: retrained,
							ParamsTotal: 2578, ParamsRemaining: 2578 - removed, FractionRemoved: float64(removed) / 2578,
							ConnectionsTotal: 98442, ConnectionsRemaining: 98442 - 30*removed,
							TrainMSE: obj, TestMSE: 1.5 * obj, TrainError: 10 * obj, TestError: 15 * obj,
							PredictedDelta: delta,
						})
					}
				}
			}
		}
	}
	return pts
}

func TestCSVRoundTrip(t *testing.T) {
	pts := []Point{
		{Definition: "paper", Network: "lenet1", Method: "obd", Scope: "global", Schedule: "oneshot",
			Seed: math.MaxUint64, Step: 3, Retrained: true, ParamsTotal: 2578, ParamsRemaining: 1000,
			FractionRemoved: 0.6121024049, ConnectionsTotal: 98442, ConnectionsRemaining: 40000,
			TrainMSE: 0.0123456789, TestMSE: 1e-300, TrainError: 0.25, TestError: 0, PredictedDelta: 0.5,
			LayersCutOff: 5, ValidMSE: 0.03, ValidError: 0.125, RetrainEpochs: 7},
		{Definition: `odd, "quoted"`, Method: "random", PredictedDelta: math.NaN(), TrainMSE: math.Inf(1),
			LayersCutOff: NotRecorded, ValidMSE: math.NaN(), ValidError: math.NaN(), RetrainEpochs: NotRecorded},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, pts); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); first != strings.Join(Columns, ",") {
		t.Errorf("header %q", first)
	}
	if !strings.Contains(buf.String(), ",true,") || !strings.Contains(buf.String(), ",0.5,5,0.03,0.125,7\n") ||
		!strings.Contains(buf.String(), ",NaN,,,,\n") {
		t.Errorf("bool or NaN not written as expected:\n%s", buf.String())
	}
	got, err := ReadCSV("points.csv", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pts) || !math.IsNaN(got[1].PredictedDelta) || !math.IsNaN(got[1].ValidMSE) || !math.IsNaN(got[1].ValidError) {
		t.Fatalf("got %+v", got)
	}
	for _, p := range []*Point{&got[1], &pts[1]} { // NaN != NaN
		p.PredictedDelta, p.ValidMSE, p.ValidError = 0, 0, 0
	}
	if !reflect.DeepEqual(got, pts) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, pts)
	}
}

func TestReadCSVErrors(t *testing.T) {
	header := strings.Join(Columns, ",") + "\n"
	row := "paper,lenet1,obd,global,oneshot,1,2,false,2578,1000,0.6,98442,40000,0.1,0.2,0.01,0.02,0.5,0,0.3,0.04,2"
	replace := func(col, val string) string {
		cells := strings.Split(row, ",")
		for i, c := range Columns {
			if c == col {
				cells[i] = val
			}
		}
		return header + row + "\n" + strings.Join(cells, ",") + "\n"
	}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "points.csv: empty"},
		{"wrong header", strings.Replace(header, "train_mse", "train_loss", 1) + row, `points.csv:1: header: column 14 is "train_loss", want "train_mse"`},
		{"short header", "definition,network\n", `points.csv:1: header: missing column "method"`},
		{"short row", header + row + "\n" + "paper,lenet1\n", "points.csv:3: 2 columns, want 22"},
		{"row of the older layout", header + row[:len(row)-len(",0.3,0.04,2")] + "\n", "points.csv:2: 19 columns, want 22"},
		{"bad count", replace("layers_cut_off", "x"), `points.csv:3: column layers_cut_off: invalid count "x"`},
		{"negative count", replace("layers_cut_off", "-1"), `points.csv:3: column layers_cut_off: invalid count "-1"`},
		{"fractional count", replace("layers_cut_off", "1.5"), `points.csv:3: column layers_cut_off: invalid count "1.5"`},
		{"older header, newer row", strings.Replace(header, ",layers_cut_off,valid_mse,valid_error,retrain_epochs", "", 1) + row + "\n", "points.csv:2: 22 columns, want 18"},
		{"header of no layout", strings.Replace(header, ",valid_error,retrain_epochs", "", 1) + row + "\n", `points.csv:1: header: missing column "valid_error"`},
		{"bad validation number", replace("valid_mse", "x"), `points.csv:3: column valid_mse: invalid number "x"`},
		{"NaN validation number", replace("valid_error", "NaN"), `points.csv:3: column valid_error: invalid number "NaN"`},
		{"negative epochs", replace("retrain_epochs", "-2"), `points.csv:3: column retrain_epochs: invalid count "-2"`},
		{"extra column", strings.Replace(header, "\n", ",x\n", 1) + row + ",1\n", `points.csv:1: header: unexpected column "x"`},
		{"bad number", replace("train_mse", "x"), `points.csv:3: column train_mse: invalid number "x"`},
		{"bad bool", replace("retrained", "1"), `points.csv:3: column retrained: invalid bool "1"`},
		{"bad int", replace("step", "2.5"), `points.csv:3: column step: invalid integer "2.5"`},
		{"bad seed", replace("seed", "-1"), `points.csv:3: column seed: invalid unsigned integer "-1"`},
		{"bad quote", header + `pa"per` + row[5:] + "\n", "points.csv:2: bare \""},
	} {
		_, err := ReadCSV("points.csv", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	if pts, err := ReadCSV("points.csv", strings.NewReader(header+row+"\n")); err != nil || len(pts) != 1 || pts[0].LayersCutOff != 0 {
		t.Errorf("valid file: %v, %+v", err, pts)
	}
	if pts, err := ReadCSV("points.csv", strings.NewReader(replace("layers_cut_off", ""))); err != nil || len(pts) != 2 ||
		pts[1].LayersCutOff != NotRecorded {
		t.Errorf("empty count: %v, %+v, want it read as not recorded", err, pts)
	}
	if pts, err := ReadCSV("points.csv", strings.NewReader(replace("valid_mse", ""))); err != nil || len(pts) != 2 ||
		!math.IsNaN(pts[1].ValidMSE) || pts[1].ValidError != 0.04 {
		t.Errorf("empty validation objective: %v, %+v, want it read as not measured", err, pts)
	}
}

// TestReadCSVOlderLayout reads a points file as committed before the
// layers_cut_off column: its points have the count NotRecorded, the rest
// as written.
func TestReadCSVOlderLayout(t *testing.T) {
	old := "definition,network,method,scope,schedule,seed,step,retrained,params_total,params_remaining,fraction_removed,connections_total,connections_remaining,train_mse,test_mse,train_error,test_error,predicted_delta\n" +
		"lenet1-retrain,lenet1,obd,global,iterative,1,0,false,2578,2578,0,98442,98442,1.650989167,1.658374749,0.1616666667,0.158,0\n" +
		"lenet1-retrain,lenet1,random,per-layer,iterative,1,1,true,2578,1289,0.5,98442,51031,1.39,1.42,0.119,0.12,NaN\n"
	pts, err := ReadCSV("points.csv", strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[0].LayersCutOff != NotRecorded || pts[1].LayersCutOff != NotRecorded ||
		pts[1].Method != "random" || pts[1].ConnectionsRemaining != 51031 || !math.IsNaN(pts[1].PredictedDelta) ||
		!math.IsNaN(pts[1].ValidMSE) || pts[1].RetrainEpochs != NotRecorded {
		t.Fatalf("got %+v", pts)
	}
	bad := strings.Replace(old, ",0.119,", ",x,", 1)
	if _, err := ReadCSV("points.csv", strings.NewReader(bad)); err == nil ||
		!strings.Contains(err.Error(), `points.csv:3: column train_error: invalid number "x"`) {
		t.Errorf("damaged older file: error %v", err)
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, "old", pts, nil); err != nil {
		t.Fatal(err)
	}
	if got := summaryColumn(b.String(), "cut off"); !slices.Equal(got, []string{"–", "–"}) {
		t.Errorf("summary of an older file: cut off %q, want – for both rows:\n%s", got, b.String())
	}
}

// TestReadCSVLayersCutOffLayout reads a points file as committed before
// the validation and retraining-epoch columns: they are not recorded, the
// rest as written.
func TestReadCSVLayersCutOffLayout(t *testing.T) {
	old := strings.Join(Columns[:19], ",") + "\n" +
		"han-lenet300,lenet300,obd,global,oneshot-retrain,1,3,true,266610,21329,0.92,266610,20000,0.01,0.05,0.002,0.016,NaN,0\n"
	pts, err := ReadCSV("points.csv", strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].LayersCutOff != 0 || pts[0].TestError != 0.016 || !math.IsNaN(pts[0].ValidMSE) ||
		!math.IsNaN(pts[0].ValidError) || pts[0].RetrainEpochs != NotRecorded {
		t.Fatalf("got %+v", pts)
	}
}

// summaryColumn returns the cells of the named column in every table row
// of a summary, in order.
func summaryColumn(summary, name string) []string {
	var cells []string
	col := -1
	for _, line := range strings.Split(summary, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		f := strings.Split(line, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		switch {
		case slices.Contains(f, name):
			col = slices.Index(f, name)
		case strings.HasPrefix(f[1], "---") || strings.HasPrefix(f[1], ":-"):
		case col >= 0:
			cells = append(cells, f[col])
		}
	}
	return cells
}

func TestSummaryFlagsCutOff(t *testing.T) {
	base := Point{Definition: "d", Network: "lenet1", Method: "magnitude", Scope: "global", Schedule: "oneshot",
		Step: 1, ParamsTotal: 2578, ParamsRemaining: 100, ConnectionsTotal: 98442, ConnectionsRemaining: 0,
		PredictedDelta: math.NaN()}
	var pts []Point
	for seed, n := range []int{5, 5, 0} { // step 1: two seeds of three cut off
		p := base
		p.Seed, p.LayersCutOff = uint64(seed+1), n
		pts = append(pts, p)
		p.Step, p.LayersCutOff, p.ConnectionsRemaining = 2, 5, 0 // step 2: all cut off
		pts = append(pts, p)
		p.Step, p.LayersCutOff, p.ConnectionsRemaining = 0, 0, 98442
		pts = append(pts, p)
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, "cut", pts, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := summaryColumn(b.String(), "cut off"), []string{"0", "**5** (2 of 3 seeds)", "**5**"}; !slices.Equal(got, want) {
		t.Errorf("cut off column %q, want %q:\n%s", got, want, b.String())
	}
}

// The validation columns appear where validation was measured, and the
// retraining epochs where a plateau made them differ; a summary of points
// with neither keeps its older columns.
func TestSummaryOptionalColumns(t *testing.T) {
	base := Point{Definition: "d", Network: "lenet1", Method: "obd", Scope: "global", Schedule: "iterative",
		Step: 1, ParamsTotal: 2578, ParamsRemaining: 1000, ConnectionsTotal: 98442, ConnectionsRemaining: 40000,
		PredictedDelta: math.NaN(), ValidMSE: math.NaN(), ValidError: math.NaN()}
	var plain []Point
	for seed := range 2 {
		p := base
		p.Seed = uint64(seed + 1)
		plain = append(plain, p)
		p.Retrained, p.RetrainEpochs = true, 10
		plain = append(plain, p)
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, "plain", plain, nil); err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"valid objective", "valid error %", "retrain epochs"} {
		if strings.Contains(b.String(), col) {
			t.Errorf("summary without validation or plateau has column %q:\n%s", col, b.String())
		}
	}
	measured := slices.Clone(plain)
	for i := range measured {
		measured[i].ValidMSE, measured[i].ValidError = 0.1*float64(i+1), 0.01*float64(i+1)
	}
	measured[3].RetrainEpochs = 4 // seed 2's retraining stopped on a plateau
	b.Reset()
	if err := WriteSummary(&b, "measured", measured, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := summaryColumn(b.String(), "valid error %"), []string{"2.00 ± 1.41", "3.00 ± 1.41"}; !slices.Equal(got, want) {
		t.Errorf("valid error column %q, want %q:\n%s", got, want, b.String())
	}
	if got, want := summaryColumn(b.String(), "retrain epochs"), []string{"–", "7.0"}; !slices.Equal(got, want) {
		t.Errorf("retrain epochs column %q, want %q:\n%s", got, want, b.String())
	}
}

func TestDescribe(t *testing.T) {
	s := Describe([]float64{1, 2, 3, 4})
	if s.Mean != 2.5 || math.Abs(s.Std-math.Sqrt(5.0/3)) > 1e-15 || s.Min != 1 || s.Max != 4 || s.N != 4 {
		t.Errorf("Describe(1..4) = %+v; std must use n−1", s)
	}
	if s := Describe([]float64{7}); s.Mean != 7 || s.Std != 0 {
		t.Errorf("one value: %+v", s)
	}
	if s := Describe([]float64{1, math.NaN()}); !math.IsNaN(s.Mean) || !math.IsNaN(s.Std) || !math.IsNaN(s.Min) {
		t.Errorf("NaN must propagate: %+v", s)
	}
}

func TestAggregate(t *testing.T) {
	pts := []Point{
		{Method: "b", Step: 1, ParamsRemaining: 10, TrainMSE: 3},
		{Method: "b", Step: 0, ParamsRemaining: 20, TrainMSE: 1},
		{Method: "a", Step: 0, ParamsRemaining: 20, TrainMSE: 1},
		{Method: "b", Step: 1, ParamsRemaining: 12, TrainMSE: 5},
	}
	cs := Aggregate(pts, func(p Point) string { return p.Method }, paramsRemaining, trainObjective)
	if len(cs) != 2 || cs[0].Label != "a" || cs[1].Label != "b" {
		t.Fatalf("curves %+v", cs)
	}
	b := cs[1]
	if !reflect.DeepEqual(b.Step, []int{0, 1}) || !reflect.DeepEqual(b.X, []float64{20, 11}) ||
		b.Y[1].Mean != 4 || b.Y[1].Min != 3 || b.Y[1].Max != 5 || b.Y[1].N != 2 {
		t.Errorf("curve b %+v", b)
	}
}

func TestWriteSummary(t *testing.T) {
	base := Point{Definition: "paper", Network: "lenet1", Method: "obd", Scope: "global", Schedule: "oneshot",
		Step: 1, ParamsTotal: 2578, ParamsRemaining: 1289, FractionRemoved: 0.5,
		ConnectionsTotal: 98442, ConnectionsRemaining: 24610, TestMSE: 0.3, TrainError: 0.01, TestError: 0.02,
		PredictedDelta: 0.05}
	a, b := base, base
	a.Seed, a.TrainMSE = 1, 0.1
	b.Seed, b.TrainMSE = 2, 0.2
	m := base
	m.Method, m.PredictedDelta, m.TrainMSE = "magnitude", math.NaN(), 0.4
	other := base
	other.Schedule = "iterative"
	pts := []Point{b, other, m, a}

	var out bytes.Buffer
	if err := WriteSummary(&out, "OBD sweep", pts, []string{"1 run failed: obd seed 3"}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"# OBD sweep\n", "1 run failed: obd seed 3\n",
		"| 0.15 ± 0.07071 ", // train objective over two seeds, sample std
		"| 0.3 ± 0 ",        // one value per seed, equal: std 0
		"| 2.00 ",           // compression 2578/1289
		"| 4.00 ",           // speedup 98442/24610
		"| 50.00 ",          // removed %
		"| 1.00 ± 0.00 ",    // train error %
		"| – ",              // magnitude has no prediction
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// Tables sorted by schedule, rows by method.
	if i, j := strings.Index(s, "## lenet1, iterative"), strings.Index(s, "## lenet1, oneshot"); i < 0 || j < i {
		t.Errorf("table order:\n%s", s)
	}
	if i, j := strings.Index(s, "| magnitude"), strings.LastIndex(s, "| obd"); i < 0 || j < i {
		t.Errorf("row order:\n%s", s)
	}
	var again bytes.Buffer
	if err := WriteSummary(&again, "OBD sweep", []Point{a, m, other, b}, []string{"1 run failed: obd seed 3"}); err != nil {
		t.Fatal(err)
	}
	if again.String() != s {
		t.Errorf("summary depends on input order:\n%s\n---\n%s", s, again.String())
	}
}

func curve(t *testing.T, f Figure, label string) Curve {
	t.Helper()
	for _, c := range f.Curves {
		if c.Label == label {
			return c
		}
	}
	t.Fatalf("%s has no curve %q", f.Name, label)
	return Curve{}
}

func names(figs []Figure) []string {
	var ns []string
	for _, f := range figs {
		ns = append(ns, f.Name)
	}
	return ns
}

func TestPaperFig1(t *testing.T) {
	pts := sweep()
	figs := PaperFig1(pts)
	if got := names(figs); !reflect.DeepEqual(got, []string{"fig1a-objective", "fig1b-predicted"}) {
		t.Fatalf("figures %v", got)
	}
	a := figs[0]
	if len(a.Curves) != 3 || !a.DB {
		t.Errorf("fig1a: %d curves, DB %v", len(a.Curves), a.DB)
	}
	mag := curve(t, a, "magnitude")
	if mag.X[0] != 2578 || mag.X[4] != 578 || mag.Y[4].N != 2 {
		t.Errorf("fig1a magnitude %+v", mag)
	}
	// Only oneshot, not retrained: the objective at step 4 is the unretrained one.
	want := Describe([]float64{
		0.02 * (1 + 16*0.1*9/3) * 1.1, 0.02 * (1 + 16*0.1*9/3) * 1.2,
	})
	if math.Abs(mag.Y[4].Mean-want.Mean) > 1e-15 {
		t.Errorf("fig1a magnitude step 4 mean %v, want %v", mag.Y[4].Mean, want.Mean)
	}

	b := figs[1]
	actual, pred := curve(t, b, "actual"), curve(t, b, "predicted")
	for i := range pred.Step {
		// Per seed: objective of the dense net + predicted_delta.
		step := float64(pred.Step[i])
		w := Describe([]float64{0.02*1.1 + 0.002*step*step, 0.02*1.2 + 0.002*step*step})
		if math.Abs(pred.Y[i].Mean-w.Mean) > 1e-15 || math.Abs(pred.Y[i].Max-w.Max) > 1e-15 {
			t.Errorf("predicted step %v: %+v, want %+v", step, pred.Y[i], w)
		}
	}
	if actual.Y[0].Mean != pred.Y[0].Mean {
		t.Errorf("predicted and actual differ at the dense network: %v %v", actual.Y[0], pred.Y[0])
	}
}

func TestPaperFig2(t *testing.T) {
	figs := PaperFig2(sweep(), nil)
	want := []string{"fig2a-train-objective", "fig2b-test-objective", "fig2c-train-error", "fig2d-test-error"}
	if got := names(figs); !reflect.DeepEqual(got, want) {
		t.Fatalf("figures %v", got)
	}
	after := curve(t, figs[3], "after retraining")
	before := curve(t, figs[3], "before retraining")
	// The after curve starts at the dense network, then follows the retrained points.
	if !reflect.DeepEqual(after.Step, []int{0, 1, 2, 3, 4}) || len(before.Step) != 5 {
		t.Fatalf("steps after %v before %v", after.Step, before.Step)
	}
	if after.Y[0] != before.Y[0] {
		t.Errorf("after retraining does not start at the dense network")
	}
	if got, w := after.Y[4].Mean, 15*0.02*1.04*100; math.Abs(got-w) > 1e-12 || after.Y[4].Std != 0 {
		t.Errorf("fig2d after step 4 = %+v, want mean %v", after.Y[4], w)
	}
}

func TestPruningCurves(t *testing.T) {
	pts := sweep()
	pts = append(pts, Point{Network: "mlp", Method: "obd", Schedule: "oneshot", FractionRemoved: 0.5, TestError: 0.1})
	figs := PruningCurves(pts, nil)
	want := []string{"lenet1-iterative-test-error", "lenet1-oneshot-test-error", "mlp-oneshot-test-error"}
	if got := names(figs); !reflect.DeepEqual(got, want) {
		t.Fatalf("figures %v", got)
	}
	obd := curve(t, figs[0], "obd")
	if obd.X[4] != 100*2000.0/2578 || math.Abs(obd.Y[4].Mean-15*0.02*1.04*100) > 1e-12 {
		t.Errorf("iterative curve should show retrained points: %+v", obd)
	}
}

func TestSave(t *testing.T) {
	figs := slices.Concat(PaperFig1(sweep()), PaperFig2(sweep(), nil))
	figs[0].LogX = true
	d1, d2 := t.TempDir(), t.TempDir()
	for _, f := range figs[:3] {
		if err := f.Save(d1); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(d2); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(d1)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Errorf("want 3 svg and 3 png files and nothing else, got %v", entries)
	}
	for _, f := range figs[:3] {
		for _, ext := range []string{".svg", ".png"} {
			b1, err1 := os.ReadFile(filepath.Join(d1, f.Name+ext))
			b2, err2 := os.ReadFile(filepath.Join(d2, f.Name+ext))
			if err1 != nil || err2 != nil || len(b1) == 0 {
				t.Fatalf("%s%s: %v %v", f.Name, ext, err1, err2)
			}
			if !bytes.Equal(b1, b2) {
				t.Errorf("%s%s differs between two saves", f.Name, ext)
			}
		}
	}
}

// Every figure marks the dense net's level (mean over seeds of step 0, in
// the curves' units), and only the test-error figures of a network with a
// published reference mark it.
func TestFigureLevels(t *testing.T) {
	refs := References{"lenet1": {TestError: 0.017, Source: "LeCun et al. 1998"}}
	pts := sweep()
	pts = append(pts, Point{Network: "mlp", Method: "obd", Schedule: "oneshot", Seed: 1, TestError: 0.1},
		Point{Network: "mlp", Method: "obd", Schedule: "oneshot", Seed: 1, Step: 1, FractionRemoved: 0.5, TestError: 0.2})
	denseTest := 100 * 15 * 0.02 * (1.1 + 1.2) / 2 // seeds 1 and 2 of sweep
	figs := PruningCurves(pts, refs)
	wantLevels := map[string][]Level{
		"lenet1-iterative-test-error": {{"dense net (mean of 2 seeds): 34.50%", denseTest, false}, {"LeCun et al. 1998, published: 1.7%", 1.7, true}},
		"lenet1-oneshot-test-error":   {{"dense net (mean of 2 seeds): 34.50%", denseTest, false}, {"LeCun et al. 1998, published: 1.7%", 1.7, true}},
		"mlp-oneshot-test-error":      {{"dense net (1 seed): 10.00%", 10, false}},
	}
	for _, f := range figs {
		if !f.LogY {
			t.Errorf("%s: error rate on a linear axis", f.Name)
		}
		checkLevels(t, f, wantLevels[f.Name])
	}

	fig2 := PaperFig2(sweep(), refs)
	denseObj := 0.02 * (1.1 + 1.2) / 2
	checkLevels(t, fig2[0], []Level{{"dense net (mean of 2 seeds): -16.38 dB", denseObj, false}})
	checkLevels(t, fig2[2], []Level{{"dense net (mean of 2 seeds): 23.00%", 10 * denseObj * 100, false}})
	checkLevels(t, fig2[3], []Level{{"dense net (mean of 2 seeds): 34.50%", denseTest, false}, {"LeCun et al. 1998, published: 1.7%", 1.7, true}})
	if fig2[0].LogY || !fig2[2].LogY || !fig2[3].LogY {
		t.Errorf("LogY: objective %v, errors %v %v", fig2[0].LogY, fig2[2].LogY, fig2[3].LogY)
	}
	for _, f := range PaperFig1(sweep()) {
		checkLevels(t, f, []Level{{"dense net (mean of 2 seeds): -16.38 dB", denseObj, false}})
	}
	// Without references, no reference line.
	checkLevels(t, PaperFig2(sweep(), nil)[3], []Level{{"dense net (mean of 2 seeds): 34.50%", denseTest, false}})
}

func checkLevels(t *testing.T, f Figure, want []Level) {
	t.Helper()
	if len(f.Levels) != len(want) {
		t.Errorf("%s: levels %+v, want %+v", f.Name, f.Levels, want)
		return
	}
	for i, l := range f.Levels {
		if l.Label != want[i].Label || math.Abs(l.Y-want[i].Y) > 1e-12 || l.Published != want[i].Published {
			t.Errorf("%s: level %d = %+v, want %+v", f.Name, i, l, want[i])
		}
	}
}

// A log axis gets at least four labels where it can, finer mantissas for a
// narrow range, and exact decimal labels.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{1.5, 72, []string{"1.5", "2", "3", "5", "7", "10", "15", "20", "30", "50", "70"}},
		{0.7, 90, []string{"0.7", "1", "1.5", "2", "3", "5", "7", "10", "15", "20", "30", "50", "70"}},
		{0.5, 400, []string{"0.5", "1", "2", "5", "10", "20", "50", "100", "200"}},
		{1.8, 11, []string{"2", "3", "5", "7", "10"}},
		{0.65, 0.95, []string{"0.7", "0.8", "0.9"}},
		{0.5, 3, []string{"0.5", "0.7", "1", "1.5", "2", "3"}},
	} {
		var labels []string
		minor := 0
		for i, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Value < c.lo || tk.Value > c.hi {
				t.Errorf("[%v, %v]: tick %v outside", c.lo, c.hi, tk.Value)
			}
			if tk.Label == "" {
				minor++
			} else {
				labels = append(labels, tk.Label)
			}
			if i > 0 && tk.Value <= (logTicks{}).Ticks(c.lo, c.hi)[i-1].Value {
				t.Errorf("[%v, %v]: ticks not ascending at %v", c.lo, c.hi, tk.Value)
			}
		}
		if !reflect.DeepEqual(labels, c.want) {
			t.Errorf("[%v, %v]: labels %v, want %v", c.lo, c.hi, labels, c.want)
		}
		if c.lo == 1.5 && minor == 0 {
			t.Errorf("[%v, %v]: no minor ticks", c.lo, c.hi)
		}
	}
}

// A linear axis gets at most eight labels, at steps of 1, 2 or 5 times a
// power of ten, exact in decimal.
func TestLinearTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{-3.67, 8.1, []string{"-2", "0", "2", "4", "6", "8"}},
		{250, 2578, []string{"500", "1000", "1500", "2000", "2500"}},
		{0, 97, []string{"0", "20", "40", "60", "80"}},
		{0.1, 0.75, []string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"}},
	} {
		var labels []string
		minor := 0
		for _, tk := range (linearTicks{}).Ticks(c.lo, c.hi) {
			if tk.Value < c.lo || tk.Value > c.hi {
				t.Errorf("[%v, %v]: tick %v outside", c.lo, c.hi, tk.Value)
			}
			if tk.Label == "" {
				minor++
			} else {
				labels = append(labels, tk.Label)
			}
		}
		if !reflect.DeepEqual(labels, c.want) || minor < len(labels)-1 {
			t.Errorf("[%v, %v]: labels %v (%d minor), want %v", c.lo, c.hi, labels, minor, c.want)
		}
	}
}

// The legend goes below the plot in as many columns as fit, so that a
// figure with many curves grows instead of covering them.
func TestLegendLayout(t *testing.T) {
	short := Figure{Curves: make([]Curve, 6), Levels: []Level{{"dense", 1, false}, {"published", 2, true}}}
	for i := range short.Curves {
		short.Curves[i] = Curve{Label: fmt.Sprintf("c%d", i), X: []float64{1}, Y: []Stat{{Mean: 1, Min: 1, Max: 1}}}
	}
	_, lg, err := short.plot()
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.groups[0]) != 6 || len(lg.groups[1]) != 2 || lg.columns(lg.groups[0]) != 3 || lg.rows() != 3 {
		t.Errorf("6 short curves and 2 levels: %d and %d entries, %d columns of curves, %d rows",
			len(lg.groups[0]), len(lg.groups[1]), lg.columns(lg.groups[0]), lg.rows())
	}
	long := Figure{Levels: []Level{{strings.Repeat("a long label ", 6), 1, false}, {"b", 2, true}}}
	if _, lg, _ := long.plot(); lg.columns(lg.groups[1]) != 1 || lg.rows() != 2 || lg.height() <= 2*lg.rowHeight() {
		t.Errorf("a long entry: %d columns, %d rows, height %v", lg.columns(lg.groups[1]), lg.rows(), lg.height())
	}
	if _, lg, _ := (Figure{}).plot(); lg.height() != 0 {
		t.Errorf("no entries: legend height %v", lg.height())
	}
}

// A log axis leaves out what it cannot place (an error of 0) and an empty
// figure on one is saved, not a panic.
func TestSaveLogY(t *testing.T) {
	zero := Figure{Name: "zero", LogY: true, Levels: []Level{{"dense", 0, false}, {"published", 1.7, true}},
		Curves: []Curve{{Label: "a", X: []float64{0, 50, 90}, Y: []Stat{{Mean: 0.1, Min: 0}, {Mean: 2, Min: 1, Max: 3}, {Mean: 30, Min: 20, Max: 40}}}}}
	dir := t.TempDir()
	for _, f := range []Figure{zero, {Name: "empty", LogY: true, LogX: true}} {
		if err := f.Save(dir); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	p, lg, err := zero.plot()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.Y.Min*logMargin-1) > 1e-12 || math.Abs(p.Y.Max/logMargin-40) > 1e-12 {
		t.Errorf("y range [%v, %v], want [1, 40] with margins: the point with min 0 and the level 0 left out", p.Y.Min, p.Y.Max)
	}
	if len(lg.groups[0]) != 1 || len(lg.groups[1]) != 1 {
		t.Fatalf("legend %d curves and %d levels, want the curve and the published level", len(lg.groups[0]), len(lg.groups[1]))
	}
	// The published level keeps its style though it is the only one drawn.
	if h, ok := lg.groups[1][0].thumbs[0].(hline); !ok || !reflect.DeepEqual(h.style, publishedLevel) {
		t.Errorf("the published level is drawn as %+v", lg.groups[1][0].thumbs[0])
	}
}

// TestReadPointsRefuses: a points file that parses but cannot be what a
// sweep wrote (a value out of range or inconsistent, a row repeated, a row
// missing, a row of another network) is refused, naming file, line and
// column. ReadCSV alone accepted every one of these, and -redraw drew them.
func TestReadPointsRefuses(t *testing.T) {
	header := strings.Join(Columns, ",") + "\n"
	rows := []string{
		"d,lenet1,obd,global,oneshot-retrain,1,0,false,2578,2578,0,98442,98442,0.1,0.2,0.01,0.02,0,0,0.3,0.04,0",
		"d,lenet1,obd,global,oneshot-retrain,1,1,false,2578,1289,0.5,98442,40000,0.1,0.2,0.01,0.02,0.5,0,0.3,0.04,0",
		"d,lenet1,obd,global,oneshot-retrain,1,1,true,2578,1289,0.5,98442,40000,0.1,0.2,0.01,0.02,0.5,0,0.3,0.04,2",
		"e,lenet1,obd,per-layer,oneshot-retrain,1,0,false,2578,2578,0,98442,98442,0.1,0.2,0.01,0.02,0,0,0.3,0.04,0",
	}
	file := func(rs ...string) string { return header + strings.Join(rs, "\n") + "\n" }
	edit := func(r int, col, val string) string {
		rs := slices.Clone(rows)
		cells := strings.Split(rs[r], ",")
		cells[slices.Index(Columns, col)] = val
		rs[r] = strings.Join(cells, ",")
		return file(rs...)
	}
	if pts, err := ReadPoints("points.csv", strings.NewReader(file(rows...))); err != nil || len(pts) != 4 {
		t.Fatalf("valid file (two definitions sharing units): %v, %d points", err, len(pts))
	}
	for _, tc := range []struct{ name, in, want string }{
		{"NaN test error", edit(1, "test_error", "NaN"), "points.csv:3: column test_error: NaN: want an error rate in [0, 1]"},
		{"error above 1", edit(1, "train_error", "1.5"), "points.csv:3: column train_error: 1.5"},
		{"negative error", edit(2, "test_error", "-0.5"), "points.csv:4: column test_error: -0.5"},
		{"NaN objective", edit(1, "train_mse", "NaN"), "points.csv:3: column train_mse: NaN: want a finite objective ≥ 0"},
		{"infinite objective", edit(1, "test_mse", "+Inf"), "points.csv:3: column test_mse: +Inf"},
		{"validation error out of range", edit(1, "valid_error", "2"), "points.csv:3: column valid_error: 2"},
		{"validation half given", edit(1, "valid_mse", ""), "points.csv:3: column valid_error: the validation objective and error rate are given both or neither"},
		{"more left than total", edit(1, "params_remaining", "9999"), "points.csv:3: column params_remaining: 9999 outside [0, 2578]"},
		{"fraction disagrees", edit(1, "fraction_removed", "0.6"), "points.csv:3: column fraction_removed: 0.6, but params_remaining 1289 of 2578 is 0.5 removed"},
		{"connections above total", edit(1, "connections_remaining", "98443"), "points.csv:3: column connections_remaining: 98443 outside [0, 98442]"},
		{"zero total", edit(0, "params_total", "0"), "points.csv:2: column params_total: 0"},
		{"negative step", edit(1, "step", "-1"), "points.csv:3: column step: -1 < 0"},
		{"retrained dense", edit(0, "retrained", "true"), "points.csv:2: column retrained: true at step 0"},
		{"epochs before retraining", edit(1, "retrain_epochs", "3"), "points.csv:3: column retrain_epochs: 3 on a point before retraining"},
		{"empty method", edit(1, "method", ""), "points.csv:3: column method: empty"},
		{"other network", edit(3, "network", "lenet5"), `points.csv:5: column network: "lenet5", but line 2 is of "lenet1"`},
		{"other schedule in a unit", edit(2, "schedule", "iterative"), `points.csv:4: column schedule: "iterative", but line 2 of the same unit says "oneshot-retrain"`},
		{"other total in a unit", edit(2, "connections_total", "98441"), "points.csv:4: column connections_total: 98441, but line 2"},
		{"row repeated", file(rows[0], rows[1], rows[2], rows[1]), "points.csv:5: obd/global seed 1 step 1 (retrained false) again, as on line 3"},
		{"row missing", file(rows[0], rows[2], strings.Replace(rows[2], ",1,true,", ",3,true,", 1)), "points.csv: obd/global seed 1 has rows up to step 3 but none of step 2"},
		{"dense row missing", file(rows[1], rows[2]), "points.csv: obd/global seed 1 has rows up to step 1 but none of step 0"},
	} {
		_, err := ReadPoints("points.csv", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
		if _, err := ReadCSV("points.csv", strings.NewReader(tc.in)); err != nil {
			t.Errorf("%s: ReadCSV refuses it too (%v): the case tests nothing new", tc.name, err)
		}
	}
}
