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
}

// UnitResult records one finished unit for the manifest.
type UnitResult struct {
	Method  string  `json:"method"`
	Scope   string  `json:"scope"`
	Seed    uint64  `json:"seed"`
	Seconds float64 `json:"seconds"`
	Cached  bool    `json:"cached"`
	Error   string  `json:"error,omitempty"`
}

// Result is what Run produced.
type Result struct {
	Def    *Definition // as run (scaled for -quick)
	Hash   string
	Dir    string
	Points []report.Point
	Units  []UnitResult
	Dense  []UnitResult
}

// Failed counts the units that did not finish.
func (r *Result) Failed() int {
	n := 0
	for _, u := range append(r.Units, r.Dense...) {
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
	tr, trIdx, err := pick(m.Train, d.Data.Train)
	if err != nil {
		return nil, fmt.Errorf("data.train: %w", err)
	}
	te, _, err := pick(m.Test, d.Data.Test)
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

// Run runs a definition. A unit that fails (a diverged training) is
// recorded and the others go on; cancelling ctx stops between steps,
// keeping every finished unit on disk.
func Run(ctx context.Context, def *Definition, env Env) (*Result, error) {
	d := def.AtScale(env.Quick)
	res := &Result{Def: d, Hash: d.Hash(), Dir: filepath.Join(env.Out, d.Name)}
	if env.Quick {
		res.Dir += "-quick" // never overwrite a full-scale result
	}
	data, err := prepare(d, env.MNIST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	e := model.NewEngine(data.net, env.Workers)
	progress := env.progress
	logf := func(format string, args ...any) {
		if env.Log != nil {
			env.Log(format, args...)
		}
	}
	var pts []report.Point
	for _, seed := range d.Seeds {
		start := time.Now()
		theta, _, cached, err := dense(ctx, d, data, e, seed, env.Out, progress)
		if cached {
			env.skip(10 * d.Training.Epochs)
		}
		dr := UnitResult{Method: "dense", Seed: seed, Seconds: time.Since(start).Seconds(), Cached: cached}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			dr.Error = err.Error()
			res.Dense = append(res.Dense, dr)
			logf("%s: dense %s seed %d FAILED: %v", d.Name, d.Network, seed, err)
			continue
		}
		res.Dense = append(res.Dense, dr)
		logf("%s: dense %s seed %d ready (%s)", d.Name, d.Network, seed, describeTime(dr))
		// Every unit of this seed starts from the same evaluated dense net.
		denseStats := [2]model.Stats{e.Sum(theta, data.evalTrain, nil, model.PassEval, nil),
			e.Sum(theta, data.test, nil, model.PassEval, nil)}
		for _, method := range d.Methods {
			for _, scope := range d.Scopes {
				u := unit{def: d, hash: res.Hash, data: data, e: e, seed: seed, method: method, scope: prune.Scope(scope),
					dense: theta, denseStats: denseStats, dir: filepath.Join(res.Dir, "units"), progress: progress, skip: env.skip}
				ur, upts, err := u.run(ctx)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if err != nil {
					ur.Error = err.Error()
					logf("%s: %s/%s seed %d FAILED: %v", d.Name, method, scope, seed, err)
				} else {
					last := upts[len(upts)-1]
					logf("%s: %s/%s seed %d: %d points, %.1f%% removed, test error %.2f%% (%s)", d.Name, method, scope,
						seed, len(upts), 100*last.FractionRemoved, 100*last.TestError, describeTime(ur))
				}
				res.Units = append(res.Units, ur)
				pts = append(pts, upts...)
			}
		}
	}
	res.Points = pts
	return res, nil
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
	// The BLAS backend is part of the key: backends round differently.
	key, _ := json.Marshal(struct {
		Network  string
		Train    int
		Training Recipe
		Seed     uint64
		Backend  string
	}{d.Network, d.Data.Train, d.Training, seed, backend.Name()})
	sum := sha256.Sum256(key)
	path := filepath.Join(out, ".cache", "dense", fmt.Sprintf("%s-%s", d.Network, hex.EncodeToString(sum[:])[:16]))
	if f, err := os.Open(path + ".params"); err == nil {
		theta, err := model.ReadParams(f, data.net)
		f.Close()
		info := new(denseInfo)
		if b, rerr := os.ReadFile(path + ".json"); rerr == nil {
			json.Unmarshal(b, info)
		}
		if err == nil {
			return theta, info, true, nil
		}
		// A damaged cache entry is retrained, not trusted.
	}
	start := time.Now()
	theta := data.net.Init(seed)
	if err := train.SGD(ctx, e, theta, nil, data.train, d.Training.Config(seed), func(train.Epoch) { progress(10) }); err != nil {
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
	skip       func(int)
}

func (u *unit) name() string {
	return fmt.Sprintf("%s-%s-%s-seed%d", u.hash, u.method, u.scope, u.seed)
}

// run loads the unit's points if a previous run finished it, or runs it
// and writes them.
func (u *unit) run(ctx context.Context) (UnitResult, []report.Point, error) {
	r := UnitResult{Method: u.method, Scope: string(u.scope), Seed: u.seed}
	csvPath := filepath.Join(u.dir, u.name()+".csv")
	if f, err := os.Open(csvPath); err == nil {
		pts, err := report.ReadCSV(csvPath, f)
		f.Close()
		if err == nil {
			var meta UnitResult
			if b, err := os.ReadFile(filepath.Join(u.dir, u.name()+".json")); err == nil {
				json.Unmarshal(b, &meta)
			}
			r.Seconds, r.Cached = meta.Seconds, true
			u.skip(len(u.def.Targets(u.data.net)) * u.def.stepWork())
			return r, pts, nil
		}
	}
	start := time.Now()
	pts, err := u.schedule(ctx)
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		return r, nil, err
	}
	meta, _ := json.Marshal(r)
	if err := atomicfile.Write(filepath.Join(u.dir, u.name()+".json"), meta); err != nil {
		return r, nil, err
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, pts); err != nil {
		return r, nil, err
	}
	return r, pts, atomicfile.Write(csvPath, b.Bytes())
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
			cfg := u.def.Retraining.Config(u.seed*1000 + uint64(step))
			if err := train.SGD(ctx, u.e, theta, mask, u.data.train, cfg, nil); err != nil {
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
	params, conns := prune.Count(net, mask)
	return report.Point{
		Definition: u.def.Name, Network: net.Name, Method: u.method, Scope: string(u.scope), Schedule: u.def.Schedule,
		Seed: u.seed, Step: step, Retrained: retrained,
		ParamsTotal: net.NumParams(), ParamsRemaining: params,
		FractionRemoved:  1 - float64(params)/float64(net.NumParams()),
		ConnectionsTotal: net.Connections(), ConnectionsRemaining: conns,
		TrainMSE: tr.MeanLoss(), TestMSE: te.MeanLoss(), TrainError: tr.ErrorRate(), TestError: te.ErrorRate(),
		PredictedDelta: predicted,
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
