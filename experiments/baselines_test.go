package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"obd/claims"
	"obd/model"
	"obd/study"
	"obd/train"
)

// -baselines -every-seed trains every seed of each definition, records the
// validation objective and error of those that hold images out (empty
// cells for one that holds none), writes OUT/DIR/ with -baselines-dir, and
// names the recipe whose first seed has the lowest validation error.
func TestBaselinesValidation(t *testing.T) {
	tiny, err := os.ReadFile(filepath.Join("testdata", "tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	def := func(name, from, to string) string {
		y := strings.Replace(string(tiny), "name: tiny", "name: "+name, 1)
		y = strings.Replace(y, from, to, 1)
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	held := "hessian_samples: 100, validation: 300}"
	a := def("va", "hessian_samples: 100}", held)
	b := def("vb", "hessian_samples: 100}\ntraining: {epochs: 3, batch_size: 32, lr: 0.01,",
		held+"\ntraining: {epochs: 3, batch_size: 32, lr: 0.004,")
	none := def("vnone", "seeds: [1, 2]", "seeds: [1]")
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-baselines", "-every-seed", "-baselines-dir", "lenet1-val", "-out", out, "-workers", "1", a, b, none}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "lenet1-val", "baselines.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, recs, err := claims.ParseBaselines("baselines.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][len(recs[0])-4:], ","); got != "valid_n,valid_loss,valid_error,did_not_learn" {
		t.Errorf("last columns %s", got)
	}
	var seeds []string
	for _, r := range rows {
		seeds = append(seeds, r.Definition+"/"+r.Seed)
	}
	if got := strings.Join(seeds, " "); got != "va/1 va/2 vb/1 vb/2 vnone/1" {
		t.Fatalf("rows %s, want every seed of each definition", got)
	}
	for _, r := range rows[:4] {
		if r.ValidN != 300 || math.IsNaN(r.ValidError) {
			t.Errorf("%s seed %s: %d validation images, error %v", r.Definition, r.Seed, r.ValidN, r.ValidError)
		}
	}
	if r := rows[4]; r.ValidN != 0 || !math.IsNaN(r.ValidError) || recs[5][len(recs[5])-2] != "" {
		t.Errorf("vnone holds nothing out, but its row reads %v", recs[5])
	}
	// The recipe of the lower first-seed validation error, whichever the
	// test errors favour.
	want := "va"
	if rows[2].ValidError < rows[0].ValidError {
		want = "vb"
	}
	md, err := os.ReadFile(filepath.Join(out, "lenet1-val", "baselines.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"-baselines -every-seed -baselines-dir lenet1-val", "| valid objective | valid error |",
		"## Over seeds", "## Chosen on validation", "- lenet1: **" + want + "**, validation error", "the lowest of 2 recipes", "lr 0.004"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("baselines.md has no %q:\n%s", s, md)
		}
	}
	// Without -every-seed, the first seed only (from the cache).
	if err := run(context.Background(), []string{"-baselines", "-baselines-dir", "first", "-out", out, "-workers", "1", a}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "first", "baselines.csv"))
	if n := strings.Count(string(csv), "\n"); n != 2 {
		t.Errorf("without -every-seed: %d lines, want a header and one row:\n%s", n, csv)
	}
	err = run(context.Background(), []string{"-baselines", "-baselines-dir", "../x", "-out", out, a}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `-baselines-dir "../x"`) {
		t.Errorf("-baselines-dir ../x: err = %v", err)
	}
}

// The baselines table's recipe says when the net trained in float32, and
// says nothing of the default float64.
func TestDescribeRecipePrecision(t *testing.T) {
	d := &study.Definition{Training: train.Recipe{Epochs: 2, BatchSize: 32, LR: 0.01}}
	if s := describeRecipe(d); strings.Contains(s, "float") {
		t.Errorf("float64: %q", s)
	}
	d.Training.Precision = train.Float64
	if s := describeRecipe(d); strings.Contains(s, "float") {
		t.Errorf("float64 named: %q", s)
	}
	d.Training.Precision = train.Float32
	if s := describeRecipe(d); !strings.HasSuffix(s, ", in float32") {
		t.Errorf("float32: %q", s)
	}
}

// baselines.md and the choice read the same rows as baselines.csv: a tie
// in validation error goes to the lower validation objective in
// baselines.md's choice too (its rows once lacked the objective, so the
// earlier row won), and a net that did not learn is marked in both files
// and is no candidate, whatever its validation error.
func TestWriteBaselinesChoice(t *testing.T) {
	net := model.LeNet1()
	dense := func(name string, validErrors int, validLoss float64, learned error) *study.Dense {
		return &study.Dense{Def: &study.Definition{Name: name}, Net: net, Seed: 1,
			Train: model.Stats{Loss: 40, Errors: 2, N: 100}, Test: model.Stats{Loss: 40, Errors: 2, N: 100},
			Valid: model.Stats{Loss: validLoss * 100, Errors: validErrors, N: 100}, Learned: learned}
	}
	dir := t.TempDir()
	ds := []*study.Dense{
		dense("first", 3, 0.5, nil),
		dense("second", 3, 0.4, nil), // the tie's lower objective: chosen
		dense("dead", 1, 0.1, fmt.Errorf("%w: error 90.0%%", study.ErrDidNotLearn)),
	}
	if err := writeBaselines(dir, "cmd", 1, ds); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "baselines.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"**second**", "the lowest of 2 recipes", "| dead (did not learn) |", "## Did not learn",
		"- dead seed 1: training did not learn: error 90.0%"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("baselines.md has no %q:\n%s", s, md)
		}
	}
	f, err := os.Open(filepath.Join(dir, "baselines.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _, err := claims.ParseBaselines("baselines.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].DidNotLearn != "" || !strings.Contains(rows[2].DidNotLearn, "did not learn") {
		t.Errorf("did_not_learn read as %q, %q, %q", rows[0].DidNotLearn, rows[1].DidNotLearn, rows[2].DidNotLearn)
	}
	if c, n, err := claims.ChosenOnValidation(rows, "lenet1"); err != nil || c.Definition != "second" || n != 2 {
		t.Errorf("from baselines.csv: chose %s of %d (%v), want second of 2", c.Definition, n, err)
	}
}
