package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"obd/study"
)

// recorders passes every event to each recorder in turn.
type recorders []study.Recorder

func (rs recorders) Record(e study.Event) {
	for _, r := range rs {
		r.Record(e)
	}
}

// barProgress shows the work planned, skipped and done as a progress bar
// with an ETA, for a terminal: work found already done shrinks the total.
type barProgress struct {
	bar   *progressbar.ProgressBar
	total int
}

func (p *barProgress) Record(e study.Event) {
	switch e := e.(type) {
	case study.WorkPlanned:
		p.total += e.Amount
		p.bar.ChangeMax(max(p.total, 1))
	case study.WorkSkipped:
		p.total -= e.Amount
		p.bar.ChangeMax(max(p.total, 1))
	case study.WorkDone:
		p.bar.Add(e.Amount)
	}
}

// textProgress reports progress in logs, where a bar would be noise: a
// line at most every 30 seconds, with an ETA from the rate so far. Work
// found already done leaves the total and the rate.
type textProgress struct {
	w           io.Writer
	now         func() time.Time
	start, last time.Time
	total, done int
}

func newTextProgress(w io.Writer, now func() time.Time) *textProgress {
	t := now()
	return &textProgress{w: w, now: now, start: t, last: t}
}

func (p *textProgress) Record(e study.Event) {
	switch e := e.(type) {
	case study.WorkPlanned:
		p.total += e.Amount
	case study.WorkSkipped:
		p.total -= e.Amount
	case study.WorkDone:
		p.done += e.Amount
		now := p.now()
		if now.Sub(p.last) < 30*time.Second || p.done == 0 {
			return
		}
		p.last = now
		el := now.Sub(p.start)
		eta := time.Duration(float64(el) * float64(max(p.total-p.done, 0)) / float64(p.done))
		fmt.Fprintf(p.w, "progress: %.0f%%, %s elapsed, about %s left\n", 100*float64(p.done)/float64(max(p.total, 1)),
			el.Round(time.Second), eta.Round(time.Second))
	}
}

// logLines writes a line for every dense net and unit finished or failed.
type logLines struct{ w io.Writer }

func (l logLines) Record(e study.Event) {
	switch e := e.(type) {
	case study.DenseDone:
		if e.Err != nil {
			fmt.Fprintf(l.w, "%s: dense %s seed %d FAILED: %v\n", e.Definition, e.Network, e.Seed, e.Err)
		} else {
			fmt.Fprintf(l.w, "%s: dense %s seed %d ready (%s)\n", e.Definition, e.Network, e.Seed, describeTime(e.Seconds, e.Cached))
		}
	case study.UnitDone:
		fmt.Fprintf(l.w, "%s: %s/%s seed %d: %d points, %.1f%% removed, test error %.2f%% (%s)\n", e.Definition, e.Method, e.Scope,
			e.Seed, e.Points, 100*e.FractionRemoved, 100*e.TestError, describeTime(e.Seconds, false))
	case study.UnitFailed:
		fmt.Fprintf(l.w, "%s: %s/%s seed %d FAILED: %v\n", e.Definition, e.Method, e.Scope, e.Seed, e.Err)
	case study.RecordRefused:
		fmt.Fprintf(l.w, "%s: %v: not used, recomputed\n", e.Definition, e.Err)
	}
}

func describeTime(seconds float64, cached bool) string {
	if cached {
		return "cached"
	}
	return fmt.Sprintf("%.1fs", seconds)
}

// barClearing is a writer for lines printed while a progress bar is shown:
// it clears the bar first (the bar redraws itself at its next change).
type barClearing struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

func (c barClearing) Write(p []byte) (int, error) {
	c.bar.Clear()
	return c.w.Write(p)
}
