package study

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"obd/backend"
	"obd/curvature"
	"obd/datasets"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/prune"
	"obd/report"
	"obd/train"
)

// Env is what a run needs besides its definition.
type Env struct {
	MNIST   *datasets.MNIST
	Out     string // output root: the definition writes Out/<name>/
	Workers int
	Quick   bool
	// Progress, if not nil, is told of finished work, and Skip of work
	// found already done (see Definition.Work).
	Progress, Skip func(n int)
	// Log, if not nil, gets one line per finished unit and dense model.
	Log func(format string, args ...any)
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

// Work is the amount of progress a run reports, in tenths of a training
// epoch, roughly: 10 per epoch of dense training, and per grid point 10
// per retraining epoch plus 3 for scoring and measuring (2 without
// retraining). Work found already done (a cached dense net, a finished
// unit) is reported through Env.Skip, so that an ETA counts only what
// remains to compute.
func (d *Definition) Work(quick bool) int {
	s := d.AtScale(quick)
	net, _ := model.ByName(s.Network)
	return len(s.Seeds) * (10*s.Training.Epochs + len(s.Methods)*len(s.Scopes)*len(s.Targets(net))*s.stepWork())
}

func (d *Definition) stepWork() int {
	if d.Schedule == "oneshot" {
		return 2
	}
	return 10*d.Retraining.Epochs + 3
}

func (env Env) skip(n int) {
	if env.Skip != nil {
		env.Skip(n)
	}
}

func (env Env) progress(n int) {
	if env.Progress != nil {
		env.Progress(n)
	}
}

// sets holds the data of a run, prepared for its network.
type sets struct {
	net         *model.Net
	train, test *model.Data
	trainIdx    []int       // MNIST training-image index of each training sample
	evalTrain   *model.Data // the training images the sweep measures on
}

// Images returns MNIST's two splits as the definition's networks see them:
// as shipped, or with digits rescaled to data.digit_size.
func (d *Definition) Images(m *datasets.MNIST) (train, test *datasets.Set, err error) {
	n := d.Data.DigitSize
	if n == 0 {
		return m.Train, m.Test, nil
	}
	if train, err = m.Train.Resized(n); err != nil {
		return nil, nil, fmt.Errorf("data.digit_size: %w", err)
	}
	if test, err = m.Test.Resized(n); err != nil {
		return nil, nil, fmt.Errorf("data.digit_size: %w", err)
	}
	return train, test, nil
}

func prepare(d *Definition, m *datasets.MNIST) (*sets, error) {
	net, err := model.ByName(d.Network)
	if err != nil {
		return nil, err
	}
	// Subsets are class-stratified with a fixed seed: every seed of a
	// definition sees the same images.
	pick := func(s *datasets.Set, n int) (*datasets.Set, []int, error) {
		if n == 0 || n == s.N() {
			return s, datasets.FirstN(s.N()), nil
		}
		idx, err := datasets.Stratified(s, n, 1)
		if err != nil {
			return nil, nil, err
		}
		return s.Subset(idx), idx, nil
	}
	train, test, err := d.Images(m)
	if err != nil {
		return nil, err
	}
	tr, trIdx, err := pick(train, d.Data.Train)
	if err != nil {
		return nil, fmt.Errorf("data.train: %w", err)
	}
	te, _, err := pick(test, d.Data.Test)
	if err != nil {
		return nil, fmt.Errorf("data.test: %w", err)
	}
	st := &sets{net: net, train: model.NewData(net, tr), test: model.NewData(net, te), trainIdx: trIdx}
	st.evalTrain = st.train
	if n := d.Data.EvalTrain; n > 0 && n < tr.N() {
		ev, _, err := pick(tr, n)
		if err != nil {
			return nil, fmt.Errorf("data.eval_train: %w", err)
		}
		st.evalTrain = model.NewData(net, ev)
	}
	return st, nil
}

// Shard selects a deterministic part of a definition's units, so that
// several processes (a Slurm job array, a Kubernetes Indexed Job) can share
// one sweep. The units, in the order (seed, method, scope), are cut into
// Count contiguous blocks; shard Index (0-based) runs block Index.
// Contiguous blocks keep the seeds, and so the dense nets, a shard needs
// few. The zero Shard is the whole sweep.
type Shard struct{ Index, Count int }

// owns says whether unit k of n belongs to the shard.
func (s Shard) owns(k, n int) bool {
	return s.Count <= 1 || k*s.Count/n == s.Index
}

func (s Shard) String() string {
	if s.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
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
	logf := func(format string, args ...any) {
		if env.Log != nil {
			env.Log(format, args...)
		}
	}
	units := d.units(data, e, res.Hash, unitDir)
	for _, u := range units {
		u.progress = env.progress
	}
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
			env.skip(perUnit)
		case mine && !env.Merge:
			todo[u.seed] = true
		default:
			env.skip(perUnit)
		}
	}
	for _, seed := range d.Seeds {
		if !todo[seed] {
			env.skip(10 * d.Training.Epochs)
			if r, ok := readDenseRecord(unitDir, res.Hash, seed); ok {
				r.Cached = true
				res.Dense = append(res.Dense, r)
			} else if info, ok := readDenseInfo(densePath(d, seed, env.Out)); ok {
				res.Dense = append(res.Dense, UnitResult{Method: "dense", Seed: seed, Seconds: info.Seconds, Cached: true})
			}
			continue
		}
		start := time.Now()
		theta, info, cached, err := dense(ctx, d, data, e, seed, env.Out, env.progress)
		dr := UnitResult{Method: "dense", Seed: seed, Seconds: time.Since(start).Seconds(), Cached: cached}
		if cached {
			env.skip(10 * d.Training.Epochs)
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
			logf("%s: dense %s seed %d FAILED: %v", d.Name, d.Network, seed, err)
		} else {
			logf("%s: dense %s seed %d ready (%s)", d.Name, d.Network, seed, describeTime(dr))
		}
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
			uerr := err
			if uerr == nil {
				u.dense, u.denseStats = theta, denseStats
				ur, upts, uerr = u.run(ctx)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
			} else {
				ur = UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed, Backend: backend.Name()}
				uerr = fmt.Errorf("dense net: %w", uerr)
				env.progress(perUnit)
			}
			if uerr != nil {
				ur.Error = uerr.Error()
				if werr := u.recordFailure(ur); werr != nil {
					return nil, werr
				}
				logf("%s: %s/%s seed %d FAILED: %v", d.Name, u.method, u.scope, seed, uerr)
			} else {
				last := upts[len(upts)-1]
				logf("%s: %s/%s seed %d: %d points, %.1f%% removed, test error %.2f%% (%s)", d.Name, u.method, u.scope,
					seed, len(upts), 100*last.FractionRemoved, 100*last.TestError, describeTime(ur))
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

func describeTime(u UnitResult) string {
	if u.Cached {
		return "cached"
	}
	return fmt.Sprintf("%.1fs", u.Seconds)
}

// denseInfo is the sidecar of a cached dense model.
type denseInfo struct {
	Seconds float64 `json:"seconds"`
	Epochs  int     `json:"epochs"`
}

// dense returns the trained dense parameters of seed, from the cache when
// an earlier run (of any definition) trained the same network on the same
// data with the same recipe and seed.
func dense(ctx context.Context, d *Definition, data *sets, e *model.Engine, seed uint64, out string, progress func(int)) ([]float64, *denseInfo, bool, error) {
	path := densePath(d, seed, out)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, false, err
	}
	for {
		if theta, info, ok := readDense(path, data.net); ok {
			return theta, info, true, nil
		}
		// Not cached (or damaged: retrained, not trusted). Train it, unless
		// another process (a shard) is training it: then wait for it.
		l, err := tryLock(path + ".lock")
		if err != nil {
			return nil, nil, false, err
		}
		if l != nil {
			defer l.release()
			if theta, info, ok := readDense(path, data.net); ok { // finished meanwhile
				return theta, info, true, nil
			}
			break
		}
		if err := waitLock(ctx); err != nil {
			return nil, nil, false, err
		}
	}
	start := time.Now()
	theta := data.net.Init(seed)
	if err := train.SGD(ctx, e, theta, nil, data.train, d.Training, seed, func(train.Epoch) { progress(10) }); err != nil {
		return nil, nil, false, err
	}
	info := &denseInfo{Seconds: time.Since(start).Seconds(), Epochs: d.Training.Epochs}
	var b bytes.Buffer
	if err := model.WriteParams(&b, data.net, theta); err != nil {
		return nil, nil, false, err
	}
	meta, _ := json.Marshal(info)
	if err := atomicfile.Write(path+".json", meta); err != nil {
		return nil, nil, false, err
	}
	return theta, info, false, atomicfile.Write(path+".params", b.Bytes())
}

// readDense reads a cached dense net and its sidecar.
func readDense(path string, net *model.Net) ([]float64, *denseInfo, bool) {
	f, err := os.Open(path + ".params")
	if err != nil {
		return nil, nil, false
	}
	theta, err := model.ReadParams(f, net)
	f.Close()
	if err != nil {
		return nil, nil, false
	}
	info, _ := readDenseInfo(path)
	return theta, info, true
}

// readDenseInfo reads the sidecar of a cached dense net; a missing or
// damaged one gives zero values and false.
func readDenseInfo(path string) (*denseInfo, bool) {
	info := new(denseInfo)
	b, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(b, info) != nil {
		return new(denseInfo), false
	}
	return info, true
}

// denseRecordPath is where a definition's result directory records the
// training of its dense net for seed (the net itself stays in the cache).
func denseRecordPath(unitDir, hash string, seed uint64) string {
	return filepath.Join(unitDir, fmt.Sprintf("%s-dense-seed%d.json", hash, seed))
}

func writeDenseRecord(unitDir, hash string, r UnitResult) error {
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		return err
	}
	b, _ := json.Marshal(r)
	return atomicfile.Write(denseRecordPath(unitDir, hash, r.Seed), b)
}

// readDenseRecord reads what writeDenseRecord wrote; a missing or damaged
// record gives false.
func readDenseRecord(unitDir, hash string, seed uint64) (UnitResult, bool) {
	var r UnitResult
	b, err := os.ReadFile(denseRecordPath(unitDir, hash, seed))
	if err != nil || json.Unmarshal(b, &r) != nil || r.Method != "dense" || r.Seed != seed {
		return UnitResult{}, false
	}
	return r, true
}

// densePath is the cache path, without extension, of a dense net.
func densePath(d *Definition, seed uint64, out string) string {
	// The BLAS backend is part of the key: backends round differently.
	key, _ := json.Marshal(struct {
		Network   string
		Train     int
		DigitSize int `json:",omitempty"` // omitted when 0: older caches keep their keys
		Training  train.Recipe
		Seed      uint64
		Backend   string
	}{d.Network, d.Data.Train, d.Data.DigitSize, d.Training, seed, backend.Name()})
	sum := sha256.Sum256(key)
	return filepath.Join(out, ".cache", "dense", fmt.Sprintf("%s-%s", d.Network, hex.EncodeToString(sum[:])[:16]))
}

// Dense is a trained dense network of a definition.
type Dense struct {
	Def             *Definition // as run
	Net             *model.Net
	Seed            uint64
	Theta           []float64
	Train, Test     model.Stats
	SecondsPerEpoch float64 // of the run that trained it
	Cached          bool

	data *sets
	e    *model.Engine
}

// TrainDense trains (or loads from the cache) the dense network of one
// seed of def and evaluates it on the definition's training and test sets.
func TrainDense(ctx context.Context, def *Definition, env Env, seed uint64) (*Dense, error) {
	d := def.AtScale(env.Quick)
	data, err := prepare(d, env.MNIST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	e := model.NewEngine(data.net, env.Workers)
	theta, info, cached, err := dense(ctx, d, data, e, seed, env.Out, env.progress)
	if err != nil {
		return nil, fmt.Errorf("%s: dense %s seed %d: %w", d.Name, d.Network, seed, err)
	}
	return &Dense{Def: d, Net: data.net, Seed: seed, Theta: theta, Cached: cached,
		SecondsPerEpoch: info.Seconds / float64(max(info.Epochs, 1)),
		Train:           e.Sum(theta, data.train, nil, model.PassEval, nil),
		Test:            e.Sum(theta, data.test, nil, model.PassEval, nil),
		data:            data, e: e}, nil
}

// Saliencies returns the paper's LM Hessian diagonal of the dense net,
// averaged over the definition's Hessian samples, the saliencies, and the
// MNIST training-image indices of those samples.
func (dn *Dense) Saliencies() (h, s []float64, images []int, err error) {
	u := unit{def: dn.Def, data: dn.data, seed: dn.Seed}
	idx, err := u.hessianIdx()
	if err != nil {
		return nil, nil, nil, err
	}
	h, err = curvature.Diagonal(dn.e, dn.Theta, dn.data.train, idx, curvature.LM)
	if err != nil {
		return nil, nil, nil, err
	}
	if idx == nil {
		idx = datasets.FirstN(dn.data.train.N)
	}
	for _, i := range idx {
		images = append(images, dn.data.trainIdx[i])
	}
	return h, curvature.Saliency(h, dn.Theta, nil), images, nil
}

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
	pts, err := u.schedule(ctx)
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

// schedule runs the definition's schedule and returns its points: step 0
// is the dense net, then one point per grid target (two with retraining:
// before and after).
func (u *unit) schedule(ctx context.Context) ([]report.Point, error) {
	m, err := prune.New(u.method)
	if err != nil {
		return nil, err
	}
	net := u.data.net
	theta := append([]float64(nil), u.dense...)
	hidx, err := u.hessianIdx()
	if err != nil {
		return nil, err
	}
	state := func(theta []float64, mask []bool, step int) *prune.State {
		return &prune.State{Engine: u.e, Theta: theta, Mask: mask, Train: u.data.train, HessianIdx: hidx,
			Seed: u.seed, Step: step}
	}
	pts := []report.Point{u.point(0, false, theta, nil, 0)} // the dense net
	targets := u.def.Targets(net)
	var scores []float64
	if u.def.Schedule != "iterative" {
		if scores, err = m.Scores(state(theta, nil, 0)); err != nil {
			return nil, err
		}
	}
	var mask []bool
	for i, target := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := i + 1
		var from []bool
		switch u.def.Schedule {
		case "iterative":
			from = mask
			if scores, err = m.Scores(state(theta, mask, step)); err != nil {
				return nil, err
			}
		default:
			theta = append(theta[:0], u.dense...)
		}
		sel, err := prune.Select(net, scores, from, target, u.scope)
		if err != nil {
			return nil, err
		}
		mask = sel.Mask
		applyMask(theta, mask)
		// The predicted increase is the sum of the saliencies deleted from
		// the net they were computed on: this step's for iterative, and
		// for the one-shot schedules, which select from the dense net
		// every time, everything deleted so far.
		predicted := math.NaN()
		if m.Predicts() {
			predicted = sel.ScoreSum
		}
		pts = append(pts, u.point(step, false, theta, mask, predicted))
		if u.def.Schedule != "oneshot" {
			if err := train.SGD(ctx, u.e, theta, mask, u.data.train, u.def.Retraining, retrainingSeed(u.seed, step), nil); err != nil {
				return nil, fmt.Errorf("retraining at step %d: %w", step, err)
			}
			pts = append(pts, u.point(step, true, theta, mask, math.NaN()))
		}
		u.progress(u.def.stepWork())
	}
	return pts, nil
}

func (u *unit) hessianIdx() ([]int, error) {
	n := u.def.Data.HessianSamples
	if n == 0 || n >= u.data.train.N {
		return nil, nil
	}
	idx, err := datasets.Stratified(&datasets.Set{Labels: u.data.train.Labels}, n, u.seed)
	if err != nil {
		return nil, fmt.Errorf("data.hessian_samples: %w", err)
	}
	return idx, nil
}

func (u *unit) point(step int, retrained bool, theta []float64, mask []bool, predicted float64) report.Point {
	net := u.data.net
	tr, te := u.denseStats[0], u.denseStats[1]
	if step > 0 {
		tr = u.e.Sum(theta, u.data.evalTrain, nil, model.PassEval, nil)
		te = u.e.Sum(theta, u.data.test, nil, model.PassEval, nil)
	}
	rem := prune.Measure(net, mask)
	params, conns := rem.Params, rem.Connections
	return report.Point{
		Definition: u.def.Name, Network: net.Name, Method: u.method, Scope: string(u.scope), Schedule: u.def.Schedule,
		Seed: u.seed, Step: step, Retrained: retrained,
		ParamsTotal: net.NumParams(), ParamsRemaining: params,
		FractionRemoved:  1 - float64(params)/float64(net.NumParams()),
		ConnectionsTotal: net.Connections(), ConnectionsRemaining: conns,
		TrainMSE: tr.MeanLoss(), TestMSE: te.MeanLoss(), TrainError: tr.ErrorRate(), TestError: te.ErrorRate(),
		PredictedDelta: predicted, LayersCutOff: rem.LayersCutOff,
	}
}

func applyMask(theta []float64, mask []bool) {
	for k, alive := range mask {
		if !alive {
			theta[k] = 0
		}
	}
}

// ErrFailed says that some units failed; the others' results were written.
var ErrFailed = errors.New("some units failed")
