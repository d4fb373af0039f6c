package study

import (
	"bytes"
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
	hash       string
	data       *sets
	e          *model.Engine
	seed       uint64
	method     string
	scope      prune.Scope
	dense      []float64
	denseStats [2]model.Stats // train, test
	dir        string
	progress   func(int)
}

func (u *unit) name() string {
	return fmt.Sprintf("%s-%s-%s-seed%d", u.hash, u.method, u.scope, u.seed)
}

func (u *unit) String() string {
	return fmt.Sprintf("%s/%s seed %d", u.method, u.scope, u.seed)
}

func (u *unit) path(ext string) string { return filepath.Join(u.dir, u.name()+ext) }

// load reads the unit's record from disk: ok with its points when it
// finished, ok without points (and the reason in the result's Error) when
// it failed, not ok when there is no usable record. A record of another
// BLAS backend is an error: the backends round differently, so mixing
// them (shards built differently on one directory) would mix numbers.
func (u *unit) load() (r UnitResult, pts []report.Point, ok bool, err error) {
	r = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed}
	var meta UnitResult
	if b, err := os.ReadFile(u.path(".json")); err == nil {
		json.Unmarshal(b, &meta)
	}
	if meta.Backend != "" && meta.Backend != backend.Name() {
		return r, nil, false, fmt.Errorf("%s: computed with the %s BLAS backend, and this run uses %s: "+
			"use one backend per output directory", u.path(".json"), meta.Backend, backend.Name())
	}
	if f, err := os.Open(u.path(".csv")); err == nil {
		pts, err := report.ReadCSV(u.path(".csv"), f)
		f.Close()
		if err == nil && len(pts) > 0 {
			r.Seconds, r.Cached, r.Backend = meta.Seconds, true, meta.Backend
			return r, pts, true, nil
		}
		// A damaged record is redone, not trusted.
	}
	var failed UnitResult
	if b, err := os.ReadFile(u.path(".failed.json")); err == nil && json.Unmarshal(b, &failed) == nil && failed.Error != "" {
		r.Seconds, r.Error, r.Backend = failed.Seconds, failed.Error, failed.Backend
		return r, nil, true, nil
	}
	return r, nil, false, nil
}

// recordFailure writes why the unit failed, so that the sweep's summary
// (written by whichever process finishes it) can list it.
func (u *unit) recordFailure(r UnitResult) error {
	b, _ := json.Marshal(r)
	return atomicfile.Write(u.path(".failed.json"), b)
}

// run runs the unit and writes its points.
func (u *unit) run(ctx context.Context) (UnitResult, []report.Point, error) {
	r := UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
	start := time.Now()
	s, err := u.sweep()
	var pts []report.Point
	if err == nil {
		pts, err = s.run(ctx)
	}
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		return r, nil, err
	}
	meta, _ := json.Marshal(r)
	if err := atomicfile.Write(u.path(".json"), meta); err != nil {
		return r, nil, err
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, pts); err != nil {
		return r, nil, err
	}
	if err := atomicfile.Write(u.path(".csv"), b.Bytes()); err != nil {
		return r, nil, err
	}
	if err := os.Remove(u.path(".failed.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return r, nil, err
	}
	return r, pts, nil
}
