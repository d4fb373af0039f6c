package study

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"obd/backend"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/prune"
	"obd/report"
)

// unit is one (method, scope, seed) run of the schedule.
type unit struct {
	def        *Definition
	key        string // unitKeyOf: what determines the unit's numbers, its seed aside
	data       *sets
	e          *model.Engine
	seed       uint64
	spec       prune.Spec
	method     string // spec's label (prune.Spec.String): names the unit
	scope      prune.Scope
	dense      []float64
	denseStats [3]model.Stats // eval_train, test, validation (N 0: none)
	dir        string
	progress   func(int)
}

// name is the unit's file name without extension: readable, and unique by
// its key and seed.
func (u *unit) name() string {
	return fmt.Sprintf("%s-%s-%s-seed%d", u.method, u.scope, u.key, u.seed)
}

func (u *unit) String() string {
	return fmt.Sprintf("%s/%s seed %d", u.method, u.scope, u.seed)
}

func (u *unit) path(ext string) string { return filepath.Join(u.dir, u.name()+ext) }

// record is what the unit's record on disk must say.
func (u *unit) record() unitRecord {
	return unitRecord{Key: u.key, Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
}

// failureRecord is a failed unit's record (NAME.failed.json): the unit's
// key and why it failed.
type failureRecord struct {
	Key string `json:"key"`
	UnitResult
}

// load reads the unit's record from disk: ok with its points when it
// finished, ok without points (and the reason in the result's Error) when
// it failed, not ok when there is none. A record that cannot be trusted
// (cut short, edited, another unit's) is returned as a *RecordError, for
// the caller to report and recompute (or, merging, to refuse); other
// errors are I/O errors.
func (u *unit) load() (r UnitResult, pts []report.Point, ok bool, err error) {
	r = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed}
	rec, pts, err := readUnitRecord(u.path(".csv"), u.path(".json"), u.record())
	switch {
	case err == nil:
		r.Seconds, r.Cached, r.Backend = rec.Seconds, true, rec.Backend
		return r, pts, true, nil
	case !errors.Is(err, errNoRecord):
		return r, nil, false, err
	}
	b, err := os.ReadFile(u.path(".failed.json"))
	if errors.Is(err, os.ErrNotExist) {
		return r, nil, false, nil
	} else if err != nil {
		return r, nil, false, err
	}
	var f failureRecord
	if err := json.Unmarshal(b, &f); err != nil || f.Key != u.key || f.Seed != u.seed || f.Error == "" {
		return r, nil, false, &RecordError{Path: u.path(".failed.json"), Reason: "not a failure record of this unit"}
	}
	r.Seconds, r.Error, r.Backend = f.Seconds, f.Error, f.Backend
	return r, nil, true, nil
}

// recordFailure writes why the unit failed, so that the sweep's summary
// (written by whichever process finishes it) can list it.
func (u *unit) recordFailure(r UnitResult) error {
	b, err := json.Marshal(failureRecord{Key: u.key, UnitResult: r})
	if err != nil {
		return err
	}
	return atomicfile.Write(u.path(".failed.json"), b)
}

// run runs the unit and writes its points. A failure of the unit itself
// (a training that diverged or did not learn, a NaN score) is returned as
// failed, and a failure to write its record, which must stop the run, as
// err. The points returned are those of the record as written, to the
// digits points.csv keeps, so that a result computed now and one read back
// later give the same summaries and figures, byte for byte.
func (u *unit) run(ctx context.Context) (r UnitResult, pts []report.Point, failed, err error) {
	r = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
	start := time.Now()
	s, failed := u.sweep()
	if failed == nil {
		pts, failed = s.run(ctx)
	}
	r.Seconds = time.Since(start).Seconds()
	if failed != nil {
		return r, nil, failed, nil
	}
	rec := u.record()
	rec.Seconds = r.Seconds
	if pts, err = writeUnitRecord(u.path(".csv"), u.path(".json"), rec, pts); err != nil {
		return r, nil, nil, err
	}
	if err := os.Remove(u.path(".failed.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return r, nil, nil, err
	}
	return r, pts, nil, nil
}
