package study

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"obd/backend"
	"obd/datasets"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/prune"
	"obd/report"
)

// Env is what a run needs besides its definition.
type Env struct {
	MNIST   *datasets.MNIST
	Out     string // output root: the definition writes Out/<name>/
	Workers int
	Quick   bool
	// Recorder, if not nil, receives the run's progress and what it
	// finished or failed.
	Recorder Recorder
	// Shard is the part of each definition's units to run (zero: all);
	// with Merge, Run computes nothing and gathers finished units.
	Shard Shard
	Merge bool
}

// UnitResult records one finished unit for the manifest.
type UnitResult struct {
	Method  string  `json:"method"`
	Scope   string  `json:"scope"`
	Seed    uint64  `json:"seed"`
	Seconds float64 `json:"seconds"`
	Cached  bool    `json:"cached"`
	Error   string  `json:"error,omitempty"`
	// Backend is the BLAS backend that computed the unit (empty in
	// records older than the field).
	Backend string `json:"backend,omitempty"`
}

// Result is what Run produced.
type Result struct {
	Def    *Definition // as run (scaled for -quick)
	Hash   string
	Dir    string
	Points []report.Point
	Units  []UnitResult // every unit's, in order, when Complete
	Dense  []UnitResult
	// Missing names the units no process has finished yet (those of other
	// shards); Ran counts the units of this process's shard, RanFailed
	// those of them that failed.
	Missing        []string
	Ran, RanFailed int
}

// Complete says whether every unit has finished or failed, so that the
// result can be written.
func (r *Result) Complete() bool { return len(r.Missing) == 0 }

// Failed counts the units that failed (a failed dense net fails its
// seed's units).
func (r *Result) Failed() int {
	n := 0
	for _, u := range r.Units {
		if u.Error != "" {
			n++
		}
	}
	return n
}

// Run runs a definition, or with env.Shard the shard's part of it. A unit
// that fails (a training that diverged or did not learn, its seed's dense
// net included) is recorded, on disk too, and the others go on; an error
// of the files (a write that failed) stops the run and is returned;
// cancelling ctx stops between steps, keeping every finished unit on disk.
//
// Units already finished on disk, by an earlier run or by another shard,
// are read, not rerun, when their records verify (a record that does not
// is reported to env.Recorder and recomputed, or with env.Merge returned
// as an error). The result is Complete when every unit of the
// definition has finished or failed; only then does it hold all points,
// and only then should it be written. With env.Merge nothing is computed:
// Run only gathers what is on disk.
func Run(ctx context.Context, def *Definition, env Env) (*Result, error) {
	r, err := newRun(def, env)
	if err != nil {
		return nil, err
	}
	todo, err := r.gather()
	if err != nil {
		return nil, err
	}
	for _, seed := range r.d.Seeds {
		if !todo[seed] {
			if err := r.skipDense(seed); err != nil {
				return nil, err
			}
			continue
		}
		if err := r.compute(ctx, seed); err != nil {
			return nil, err
		}
	}
	// Another shard may have finished its units, and trained their dense
	// nets, meanwhile.
	if err := r.gatherLate(); err != nil {
		return nil, err
	}
	if err := r.lateDense(); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// run is the state of one Run: the definition's units, those done (by
// this process or found on disk) and what they gave.
type run struct {
	d        *Definition // as run
	env      Env
	res      *Result
	data     *sets
	e        *model.Engine
	unitDir  string
	units    []*unit
	done     []bool
	results  []UnitResult
	points   [][]report.Point
	perUnit  int       // the work of a unit
	progress func(int) // records work done
}

func newRun(def *Definition, env Env) (*run, error) {
	d := def.AtScale(env.Quick)
	res := &Result{Def: d, Hash: d.Hash(), Dir: filepath.Join(env.Out, d.Name)}
	if env.Quick {
		res.Dir += "-quick" // never overwrite a full-scale result
	}
	if s := env.Shard; s.Count > 1 && (s.Index < 0 || s.Index >= s.Count) {
		return nil, fmt.Errorf("shard %d/%d: the index must be in 0..%d", s.Index, s.Count, s.Count-1)
	}
	data, err := prepare(d, env.MNIST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	unitDir := filepath.Join(res.Dir, "units")
	// Temporary files older than a minute are left over from a crash;
	// younger ones may be another shard's write in progress.
	for _, dir := range []string{unitDir, res.Dir, filepath.Join(res.Dir, "figures"), filepath.Join(env.Out, ".cache", "dense")} {
		if _, err := atomicfile.RemoveStale(dir, time.Minute); err != nil {
			return nil, err
		}
	}
	e := model.NewEngine(data.net, env.Workers)
	units := d.units(data, e, unitDir)
	return &run{d: d, env: env, res: res, data: data, e: e, unitDir: unitDir, units: units,
		done: make([]bool, len(units)), results: make([]UnitResult, len(units)), points: make([][]report.Point, len(units)),
		perUnit: len(d.Targets(data.net)) * d.stepWork(), progress: env.progress(d)}, nil
}

// mine says whether this process computes unit k.
func (r *run) mine(k int) bool { return r.env.Shard.owns(k, len(r.units)) && !r.env.Merge }

// gather reads what is on disk and chooses what this process computes:
// the units of its shard not finished yet (failed ones are retried). It
// returns the seeds of those units.
func (r *run) gather() (todo map[uint64]bool, err error) {
	todo = map[uint64]bool{}
	for k, u := range r.units {
		ur, pts, ok, err := r.load(u)
		if err != nil {
			return nil, err
		}
		switch {
		case ok && (pts != nil || !r.mine(k)):
			// Finished, or failed and not ours to retry.
			r.done[k], r.results[k], r.points[k] = true, ur, pts
			r.env.skip(r.d, r.perUnit)
		case r.mine(k):
			todo[u.seed] = true
		default:
			r.env.skip(r.d, r.perUnit)
		}
	}
	return todo, nil
}

// load reads a unit's record. A record that fails its verification is
// reported and then treated as absent, so that it is recomputed; a merge,
// which computes nothing, refuses it instead.
func (r *run) load(u *unit) (UnitResult, []report.Point, bool, error) {
	ur, pts, ok, err := u.load()
	var re *RecordError
	if errors.As(err, &re) {
		if r.env.Merge {
			return ur, nil, false, fmt.Errorf("%s: %w", r.d.Name, err)
		}
		r.env.record(RecordRefused{Definition: r.d.Name, Err: re})
		return ur, nil, false, nil
	}
	return ur, pts, ok, err
}

// gatherLate reads the units that were not done when Run started and
// that another process has finished since.
func (r *run) gatherLate() error {
	for k, u := range r.units {
		if !r.done[k] {
			if ur, pts, ok, err := r.load(u); err != nil {
				return err
			} else if ok {
				r.done[k], r.results[k], r.points[k] = true, ur, pts
			}
		}
	}
	return nil
}

// lateDense adds the dense nets that had no record when Run started (a
// shard was still training them) and have one now, and lists the dense
// nets in the definition's seed order, as an unsharded run does. A record
// that fails its check is reported (a merge refuses it) and left out.
func (r *run) lateDense() error {
	have := map[uint64]bool{}
	for _, dr := range r.res.Dense {
		have[dr.Seed] = true
	}
	for _, seed := range r.d.Seeds {
		if have[seed] {
			continue
		}
		dr, err := readDenseRecord(r.unitDir, r.res.Hash, seed)
		var re *RecordError
		switch {
		case err == nil:
			dr.Cached = true
			r.res.Dense = append(r.res.Dense, dr)
		case errors.Is(err, errNoRecord):
		case errors.As(err, &re) && !r.env.Merge:
			r.env.record(RecordRefused{Definition: r.d.Name, Err: re})
		default:
			return fmt.Errorf("%s: %w", r.d.Name, err)
		}
	}
	order := map[uint64]int{}
	for i, seed := range r.d.Seeds {
		order[seed] = i
	}
	slices.SortStableFunc(r.res.Dense, func(a, b UnitResult) int { return order[a.Seed] - order[b.Seed] })
	return nil
}

// skipDense records the dense net of a seed this process has nothing to
// compute for, from the record beside the units or else from the cache. A
// record beside the units that fails its check is reported (a merge
// refuses it, as it refuses a unit's), not silently replaced.
func (r *run) skipDense(seed uint64) error {
	r.env.skip(r.d, 10*r.d.Training.Epochs)
	dr, err := readDenseRecord(r.unitDir, r.res.Hash, seed)
	var re *RecordError
	switch {
	case err == nil:
		dr.Cached = true
		r.res.Dense = append(r.res.Dense, dr)
		return nil
	case errors.As(err, &re):
		if r.env.Merge {
			return fmt.Errorf("%s: %w", r.d.Name, err)
		}
		r.env.record(RecordRefused{Definition: r.d.Name, Err: re})
	case !errors.Is(err, errNoRecord):
		return err
	}
	rec, ok := readDenseTiming(r.d, seed, r.env.Out)
	if !ok {
		if re != nil { // nothing to replace it with: drop it
			if err := os.Remove(re.Path); err != nil {
				return err
			}
		}
		return nil
	}
	dr = UnitResult{Method: "dense", Seed: seed, Seconds: rec.Seconds, Backend: backend.Name()}
	if re != nil { // written again from the cache
		if err := writeDenseRecord(r.unitDir, r.res.Hash, dr); err != nil {
			return err
		}
	}
	dr.Cached = true
	r.res.Dense = append(r.res.Dense, dr)
	return nil
}

// compute trains (or reads) the dense net of seed and runs the units of
// this process of that seed. A failed dense net fails its units; the error
// returned is one that stops the run (cancellation, a write that failed).
func (r *run) compute(ctx context.Context, seed uint64) error {
	d, env := r.d, r.env
	start := time.Now()
	spent := 0 // of the training's work
	theta, info, cached, err := dense(ctx, d, r.data, r.e, seed, env, func(n int) { spent += n; r.progress(n) })
	var ioErr *ioError
	if errors.As(err, &ioErr) {
		return err
	}
	dr := UnitResult{Method: "dense", Seed: seed, Seconds: time.Since(start).Seconds(), Cached: cached}
	if cached {
		env.skip(d, 10*d.Training.Epochs)
		if info.Seconds > 0 {
			dr.Seconds = info.Seconds // the training's, not the read's
		}
	}
	if err == nil {
		// Kept beside the units, so that a merge on a machine without
		// this cache still reports how long the dense net took.
		rec := dr
		rec.Cached, rec.Backend = false, backend.Name()
		if werr := writeDenseRecord(r.unitDir, r.res.Hash, rec); werr != nil {
			return werr
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Every unit of this seed starts from the same evaluated dense net,
	// which must have learned.
	var denseStats [3]model.Stats
	if err == nil {
		denseStats[0] = r.e.Sum(theta, r.data.evalTrain, nil, model.PassEval, nil)
		denseStats[1] = r.e.Sum(theta, r.data.test, nil, model.PassEval, nil)
		if r.data.valid != nil {
			denseStats[2] = r.e.Sum(theta, r.data.valid, nil, model.PassEval, nil)
		}
		err = r.data.checkDense(r.e, seed, denseStats[0])
	}
	if !cached {
		// The epochs it will not train: all the rest after a failure,
		// those after a plateau stopped it.
		r.progress(10*d.Training.Epochs - spent)
	}
	if err != nil {
		dr.Error = err.Error()
	}
	env.record(DenseDone{Definition: d.Name, Network: d.Network, Seed: seed, Seconds: dr.Seconds, Cached: cached, Err: err})
	r.res.Dense = append(r.res.Dense, dr)
	for k, u := range r.units {
		if u.seed != seed || r.done[k] || !env.Shard.owns(k, len(r.units)) {
			continue
		}
		var ur UnitResult
		var upts []report.Point
		spent := 0 // of the unit's work
		uerr := err
		if uerr == nil {
			u.dense, u.denseStats = theta, denseStats
			u.progress = func(n int) { spent += n; r.progress(n) }
			var werr error
			ur, upts, uerr, werr = u.run(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if werr != nil {
				return fmt.Errorf("%s: %s: %w", d.Name, u, werr)
			}
		} else {
			ur = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
			uerr = fmt.Errorf("dense net: %w", wrapDense(d, seed, uerr))
		}
		if uerr != nil {
			r.progress(r.perUnit - spent) // the steps it will not run
			ur.Error = uerr.Error()
			if werr := u.recordFailure(ur); werr != nil {
				return werr
			}
			env.record(UnitFailed{Definition: d.Name, Method: u.method, Scope: string(u.scope), Seed: seed, Err: uerr})
		} else {
			last := upts[len(upts)-1]
			env.record(UnitDone{Definition: d.Name, Method: u.method, Scope: string(u.scope), Seed: seed,
				Points: len(upts), FractionRemoved: last.FractionRemoved, TestError: last.TestError, Seconds: ur.Seconds})
		}
		r.done[k], r.results[k], r.points[k] = true, ur, upts
	}
	return nil
}

// result reports what the run gathered and computed.
func (r *run) result() *Result {
	res := r.res
	for k, u := range r.units {
		if !r.done[k] {
			res.Missing = append(res.Missing, u.String())
			continue
		}
		if r.mine(k) {
			res.Ran++
			if r.results[k].Error != "" {
				res.RanFailed++
			}
		}
		res.Units = append(res.Units, r.results[k])
		res.Points = append(res.Points, r.points[k]...)
	}
	if len(res.Missing) > 0 {
		res.Points = nil // a partial sweep is not a result
	}
	return res
}

// units lists the definition's units in the order (seed, method, scope).
func (d *Definition) units(data *sets, e *model.Engine, dir string) []*unit {
	var us []*unit
	for _, seed := range d.Seeds {
		for _, method := range d.Methods {
			for _, scope := range d.Scopes {
				us = append(us, &unit{def: d, key: unitKeyOf(d, data.net, method.String(), scope, backend.Name()), data: data, e: e,
					seed: seed, spec: method, method: method.String(), scope: prune.Scope(scope), dir: dir})
			}
		}
	}
	return us
}
