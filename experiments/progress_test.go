package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"obd/model/nettest"
	"obd/study"
)

// The log lines say what finished and what failed, one line per event;
// progress events print nothing.
func TestLogLines(t *testing.T) {
	var b bytes.Buffer
	l := logLines{&b}
	for _, e := range []study.Event{
		study.WorkPlanned{Definition: "d", Amount: 10},
		study.DenseDone{Definition: "d", Network: "lenet1", Seed: 1, Seconds: 12.34},
		study.DenseDone{Definition: "d", Network: "lenet1", Seed: 2, Seconds: 12.34, Cached: true},
		study.DenseDone{Definition: "d", Network: "lenet1", Seed: 3, Err: errors.New("diverged")},
		study.WorkDone{Definition: "d", Amount: 3},
		study.UnitDone{Definition: "d", Method: "obd", Scope: "global", Seed: 1, Points: 9, FractionRemoved: 0.8,
			TestError: 0.0312, Seconds: 4.56},
		study.UnitFailed{Definition: "d", Method: "magnitude", Scope: "per-layer", Seed: 3, Err: errors.New("dense net: diverged")},
		study.WorkSkipped{Definition: "d", Amount: 3},
	} {
		l.Record(e)
	}
	want := `d: dense lenet1 seed 1 ready (12.3s)
d: dense lenet1 seed 2 ready (cached)
d: dense lenet1 seed 3 FAILED: diverged
d: obd/global seed 1: 9 points, 80.0% removed, test error 3.12% (4.6s)
d: magnitude/per-layer seed 3 FAILED: dense net: diverged
`
	if b.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", b.String(), want)
	}
}

// The plain progress line comes at most every 30 seconds, with the share
// of the work not found done that is done, and an ETA from the rate so far.
func TestTextProgress(t *testing.T) {
	var b bytes.Buffer
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	p := newTextProgress(&b, func() time.Time { return now })
	at := func(s int, e study.Event) {
		now = start.Add(time.Duration(s) * time.Second)
		p.Record(e)
	}
	at(0, study.WorkPlanned{Amount: 100})
	at(1, study.WorkSkipped{Amount: 20})
	at(10, study.WorkDone{Amount: 10})
	at(40, study.WorkDone{Amount: 30}) // 40 of 80 in 40 s
	at(50, study.WorkDone{Amount: 10}) // within 30 s of the last line
	at(80, study.WorkDone{Amount: 20}) // 70 of 80 in 80 s
	want := "progress: 50%, 40s elapsed, about 40s left\nprogress: 88%, 1m20s elapsed, about 11s left\n"
	if b.String() != want {
		t.Errorf("progress lines:\n%s\nwant:\n%s", b.String(), want)
	}
}

// events keeps the events of a run, and sums the work accounted for.
type events struct {
	all                    []study.Event
	planned, skipped, done int
}

func (r *events) Record(e study.Event) {
	r.all = append(r.all, e)
	switch e := e.(type) {
	case study.WorkPlanned:
		r.planned += e.Amount
	case study.WorkSkipped:
		r.skipped += e.Amount
	case study.WorkDone:
		r.done += e.Amount
	}
}

// tinyDefinition parses testdata/tiny.yaml with edits (old, new, ...).
func tinyDefinition(t *testing.T, edits ...string) *study.Definition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(text, edits[i]) {
			t.Fatalf("tiny.yaml lacks %q", edits[i])
		}
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	d, err := study.Parse("tiny.yaml", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A run accounts for all the work planned, as skipped or done, whether it
// computes everything, finds everything done, runs one shard or has units
// that fail; the log has a line for every dense net and unit it computed.
func TestRecordersOnATinyRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny sweep")
	}
	m := nettest.MNIST(t)
	good := tinyDefinition(t, "methods: [obd, magnitude, random]", "methods: [obd, magnitude]", "seeds: [1, 2]", "seeds: [1]")
	// As in TestDivergedUnitIsRecorded: retraining lenet300 at a rate of
	// 1e150 overflows.
	diverging := tinyDefinition(t, "lr: 0.001", "lr: 1e150", "network: lenet1", "network: lenet300",
		"methods: [obd, magnitude, random]", "methods: [magnitude]", "seeds: [1, 2]", "seeds: [1]")
	run := func(d *study.Definition, out string, shard study.Shard) (*events, string, *study.Result) {
		t.Helper()
		rec := &events{}
		var log bytes.Buffer
		env := study.Env{MNIST: m, Out: out, Workers: 2, Shard: shard, Recorder: recorders{rec, logLines{&log}}}
		env.Recorder.Record(study.WorkPlanned{Definition: d.Name, Amount: d.Work(false)})
		res, err := study.Run(context.Background(), d, env)
		if err != nil {
			t.Fatal(err)
		}
		if rec.planned != rec.skipped+rec.done {
			t.Errorf("%s shard %s: planned %d, skipped %d + done %d", out, shard, rec.planned, rec.skipped, rec.done)
		}
		return rec, log.String(), res
	}
	out := t.TempDir()
	rec, log, res := run(good, out, study.Shard{})
	if rec.skipped != 0 {
		t.Errorf("first run: skipped %d", rec.skipped)
	}
	want := []string{`tiny: dense lenet1 seed 1 ready \(\d+\.\ds\)`}
	for i, u := range res.Units {
		pts := res.Points[i*5 : (i+1)*5] // dense, then before and after retraining at 2 targets
		last := pts[len(pts)-1]
		if last.Method != u.Method || last.Scope != u.Scope || last.Step != 2 || !last.Retrained {
			t.Fatalf("unit %d's last point is %+v", i, last)
		}
		want = append(want, regexp.QuoteMeta(fmt.Sprintf("tiny: %s/%s seed 1: 5 points, %.1f%% removed, test error %.2f%% (",
			u.Method, u.Scope, 100*last.FractionRemoved, 100*last.TestError))+`\d+\.\ds\)`)
	}
	if re := regexp.MustCompile("^" + strings.Join(want, "\n") + "\n$"); !re.MatchString(log) {
		t.Errorf("log:\n%s\nwant lines matching:\n%s", log, strings.Join(want, "\n"))
	}
	// Everything is found done: all skipped, nothing logged.
	if rec, log, _ := run(good, out, study.Shard{}); rec.done != 0 || log != "" {
		t.Errorf("rerun: done %d, log %q", rec.done, log)
	}
	// One shard of two on a fresh directory.
	if rec, _, res := run(good, t.TempDir(), study.Shard{Index: 1, Count: 2}); rec.skipped == 0 || rec.done == 0 || res.Ran != 2 {
		t.Errorf("shard 1/2: skipped %d, done %d, ran %d units", rec.skipped, rec.done, res.Ran)
	}
	// Units that fail account for the steps they will not run.
	_, log, res = run(diverging, t.TempDir(), study.Shard{})
	if res.Failed() != 2 || strings.Count(log, "FAILED: retraining at step 1: ") != 2 {
		t.Errorf("diverging run: %d failed, log:\n%s", res.Failed(), log)
	}
}
