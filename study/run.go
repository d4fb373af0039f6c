package study

import (
	"context"
	"fmt"
	"path/filepath"
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
// that fails (a diverged training) is recorded, on disk too, and the
// others go on; cancelling ctx stops between steps, keeping every finished
// unit on disk.
//
// Units already finished on disk, by an earlier run or by another shard,
// are read, not rerun. The result is Complete when every unit of the
// definition has finished or failed; only then does it hold all points,
// and only then should it be written. With env.Merge nothing is computed:
// Run only gathers what is on disk.
func Run(ctx context.Context, def *Definition, env Env) (*Result, error) {
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
	progress := env.progress(d)
	units := d.units(data, e, res.Hash, unitDir)
	perUnit := len(d.Targets(data.net)) * d.stepWork()
	// Gather what is on disk; choose what this process computes.
	done := make([]bool, len(units))
	results := make([]UnitResult, len(units))
	points := make([][]report.Point, len(units))
	todo := map[uint64]bool{} // seeds with work to do here
	for k, u := range units {
		ur, pts, ok, err := u.load()
		if err != nil {
			return nil, err
		}
		mine := env.Shard.owns(k, len(units))
		switch {
		case ok && (pts != nil || !mine || env.Merge):
			// Finished, or failed and not ours to retry.
			done[k], results[k], points[k] = true, ur, pts
			env.skip(d, perUnit)
		case mine && !env.Merge:
			todo[u.seed] = true
		default:
			env.skip(d, perUnit)
		}
	}
	for _, seed := range d.Seeds {
		if !todo[seed] {
			env.skip(d, 10*d.Training.Epochs)
			if r, ok := readDenseRecord(unitDir, res.Hash, seed); ok {
				r.Cached = true
				res.Dense = append(res.Dense, r)
			} else if info, ok := readDenseInfo(densePath(d, seed, env.Out)); ok {
				res.Dense = append(res.Dense, UnitResult{Method: "dense", Seed: seed, Seconds: info.Seconds, Cached: true})
			}
			continue
		}
		start := time.Now()
		spent := 0 // of the training's work
		theta, info, cached, err := dense(ctx, d, data, e, seed, env.Out, func(n int) { spent += n; progress(n) })
		dr := UnitResult{Method: "dense", Seed: seed, Seconds: time.Since(start).Seconds(), Cached: cached}
		if cached {
			env.skip(d, 10*d.Training.Epochs)
			if info != nil && info.Seconds > 0 {
				dr.Seconds = info.Seconds // the training's, not the read's
			}
		}
		if err == nil {
			// Kept beside the units, so that a merge on a machine without
			// this cache still reports how long the dense net took.
			rec := dr
			rec.Cached, rec.Backend = false, backend.Name()
			if werr := writeDenseRecord(unitDir, res.Hash, rec); werr != nil {
				return nil, werr
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			dr.Error = err.Error()
			progress(10*d.Training.Epochs - spent) // the epochs it will not train
		}
		env.record(DenseDone{Definition: d.Name, Network: d.Network, Seed: seed, Seconds: dr.Seconds, Cached: cached, Err: err})
		res.Dense = append(res.Dense, dr)
		// Every unit of this seed starts from the same evaluated dense net.
		var denseStats [2]model.Stats
		if err == nil {
			denseStats = [2]model.Stats{e.Sum(theta, data.evalTrain, nil, model.PassEval, nil),
				e.Sum(theta, data.test, nil, model.PassEval, nil)}
		}
		for k, u := range units {
			if u.seed != seed || done[k] || !env.Shard.owns(k, len(units)) {
				continue
			}
			var ur UnitResult
			var upts []report.Point
			spent := 0 // of the unit's work
			uerr := err
			if uerr == nil {
				u.dense, u.denseStats = theta, denseStats
				u.progress = func(n int) { spent += n; progress(n) }
				ur, upts, uerr = u.run(ctx)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
			} else {
				ur = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
				uerr = fmt.Errorf("dense net: %w", uerr)
			}
			if uerr != nil {
				progress(perUnit - spent) // the steps it will not run
				ur.Error = uerr.Error()
				if werr := u.recordFailure(ur); werr != nil {
					return nil, werr
				}
				env.record(UnitFailed{Definition: d.Name, Method: u.method, Scope: string(u.scope), Seed: seed, Err: uerr})
			} else {
				last := upts[len(upts)-1]
				env.record(UnitDone{Definition: d.Name, Method: u.method, Scope: string(u.scope), Seed: seed,
					Points: len(upts), FractionRemoved: last.FractionRemoved, TestError: last.TestError, Seconds: ur.Seconds})
			}
			done[k], results[k], points[k] = true, ur, upts
		}
	}
	// Another shard may have finished its units meanwhile.
	for k, u := range units {
		if !done[k] {
			if ur, pts, ok, err := u.load(); err != nil {
				return nil, err
			} else if ok {
				done[k], results[k], points[k] = true, ur, pts
			}
		}
	}
	for k, u := range units {
		if !done[k] {
			res.Missing = append(res.Missing, u.String())
			continue
		}
		if env.Shard.owns(k, len(units)) && !env.Merge {
			res.Ran++
			if results[k].Error != "" {
				res.RanFailed++
			}
		}
		res.Units = append(res.Units, results[k])
		res.Points = append(res.Points, points[k]...)
	}
	if len(res.Missing) > 0 {
		res.Points = nil // a partial sweep is not a result
	}
	return res, nil
}

// units lists the definition's units in the order (seed, method, scope).
func (d *Definition) units(data *sets, e *model.Engine, hash, dir string) []*unit {
	var us []*unit
	for _, seed := range d.Seeds {
		for _, method := range d.Methods {
			for _, scope := range d.Scopes {
				us = append(us, &unit{def: d, hash: hash, data: data, e: e, seed: seed, method: method,
					scope: prune.Scope(scope), dir: dir})
			}
		}
	}
	return us
}
