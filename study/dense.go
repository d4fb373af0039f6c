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
	"obd/train"
)

// ioError marks an error of the dense-net cache's files (a write that
// failed, a lock that could not be taken): it stops the run, unlike a
// training that failed, which fails the seed's units.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// dense returns the trained dense parameters of seed, from the cache when
// an earlier run (of any definition) trained the same network on the same
// data with the same recipe and seed, and the cache's record of it. A
// cached net that fails its verification is reported to env's Recorder
// and trained again. Errors of the cache's files are *ioError; others are
// the training's.
func dense(ctx context.Context, d *Definition, data *sets, e *model.Engine, seed uint64, env Env, progress func(int)) ([]float64, denseRecord, bool, error) {
	key, path := denseKey(d, seed, env.Out)
	fail := func(err error) ([]float64, denseRecord, bool, error) { return nil, denseRecord{}, false, &ioError{err} }
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(err)
	}
	refused := false // reported once, though read again under the lock
	read := func() ([]float64, denseRecord, bool, error) {
		theta, rec, err := readDenseCache(path, key, data.net)
		var re *RecordError
		switch {
		case err == nil:
			return theta, rec, true, nil
		case errors.As(err, &re):
			if !refused {
				env.record(RecordRefused{Definition: d.Name, Err: re})
				refused = true
			}
			return nil, rec, false, nil
		case errors.Is(err, errNoRecord):
			return nil, rec, false, nil
		}
		return fail(err)
	}
	for {
		if theta, rec, ok, err := read(); ok || err != nil {
			return theta, rec, ok, err
		}
		// Not cached (or not trusted). Train it, unless another process (a
		// shard) is training it: then wait for it.
		l, err := tryLock(path + ".lock")
		if err != nil {
			return fail(err)
		}
		if l != nil {
			defer l.release()
			if theta, rec, ok, err := read(); ok || err != nil { // finished meanwhile
				return theta, rec, ok, err
			}
			break
		}
		if err := waitLock(ctx); err != nil {
			return nil, denseRecord{}, false, err
		}
	}
	start := time.Now()
	theta := data.net.Init(seed)
	epochs, err := fit(ctx, e, theta, nil, data.train, monitored(d.Training, data.evalTrain, data.valid), d.Training, seed, func() { progress(10) })
	if err != nil {
		return nil, denseRecord{}, false, err
	}
	rec := denseRecord{Key: key, Seconds: time.Since(start).Seconds(), Epochs: epochs}
	if err := writeDenseCache(path, data.net, theta, rec); err != nil {
		return fail(err)
	}
	return theta, rec, false, nil
}

// checkDense says whether the dense net of seed learned (checkDense of
// learned.go), from its statistics on the sweep's training images.
func (s *sets) checkDense(e *model.Engine, seed uint64, final model.Stats) error {
	initial := e.Sum(s.net.Init(seed), s.evalTrain, nil, model.PassEval, nil)
	return checkDense(initial, final, s.net.Outputs())
}

// readDenseTiming reads the sidecar of seed's cached dense net for how
// long its training took, without reading the net; false when there is no
// sidecar of that key.
func readDenseTiming(d *Definition, seed uint64, out string) (denseRecord, bool) {
	key, path := denseKey(d, seed, out)
	var rec denseRecord
	b, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.Key != key {
		return denseRecord{}, false
	}
	return rec, true
}

// wrapDense names the dense net in an error of its seed's units.
func wrapDense(d *Definition, seed uint64, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s seed %d: %w", d.Network, seed, err)
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

// readDenseRecord reads what writeDenseRecord wrote: errNoRecord when
// there is none, a *RecordError when it is damaged or records another
// seed, other errors for I/O.
func readDenseRecord(unitDir, hash string, seed uint64) (UnitResult, error) {
	var r UnitResult
	path := denseRecordPath(unitDir, hash, seed)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, errNoRecord
	} else if err != nil {
		return r, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	switch err := dec.Decode(&r); {
	case err != nil:
		return UnitResult{}, &RecordError{Path: path, Reason: fmt.Sprintf("unreadable record: %v", err)}
	case r.Method != "dense" || r.Seed != seed:
		return UnitResult{}, &RecordError{Path: path, Reason: fmt.Sprintf("record of %s seed %d, want dense seed %d", r.Method, r.Seed, seed)}
	case !(r.Seconds >= 0) || math.IsInf(r.Seconds, 0):
		return UnitResult{}, &RecordError{Path: path, Reason: fmt.Sprintf("seconds %v: want a time ≥ 0", r.Seconds)}
	}
	return r, nil
}

// denseKey returns the key of the dense net of seed (the SHA-256, in hex,
// of what determines it: network, training images, digit size, held-out
// validation images, recipe,
// seed and BLAS backend, which round differently) and its cache path,
// without extension.
func denseKey(d *Definition, seed uint64, out string) (key, path string) {
	b, _ := json.Marshal(struct {
		Network   string
		Train     int
		DigitSize int `json:",omitempty"` // omitted when 0: older caches keep their keys
		// Validation changes the training images (they are drawn from
		// the rest); omitted when 0, as DigitSize.
		Validation int `json:",omitempty"`
		Training   train.Recipe
		Seed       uint64
		Backend    string
	}{d.Network, d.Data.Train, d.Data.DigitSize, d.Data.Validation, d.Training, seed, backend.Name()})
	sum := sha256.Sum256(b)
	key = hex.EncodeToString(sum[:])
	return key, filepath.Join(out, ".cache", "dense", fmt.Sprintf("%s-%s", d.Network, key[:16]))
}

// Dense is a trained dense network of a definition.
type Dense struct {
	Def             *Definition // as run
	Net             *model.Net
	Seed            uint64
	Theta           []float64
	Train, Test     model.Stats
	Valid           model.Stats // on data.validation's held-out images; N is 0 when none
	SecondsPerEpoch float64     // of the run that trained it
	Cached          bool
	// Learned is nil when the net learned, else why it did not (an
	// ErrDidNotLearn): such a net is no dense baseline to prune or export.
	Learned error

	data *sets
	e    *model.Engine
}

// TrainDense trains (or loads from the cache) the dense network of one
// seed of def and evaluates it on the definition's training and test sets,
// and on its validation set when it holds one out.
func TrainDense(ctx context.Context, def *Definition, env Env, seed uint64) (*Dense, error) {
	d := def.AtScale(env.Quick)
	data, err := prepare(d, env.MNIST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	e := model.NewEngine(data.net, env.Workers)
	theta, info, cached, err := dense(ctx, d, data, e, seed, env, env.progress(d))
	if err != nil {
		return nil, fmt.Errorf("%s: dense %s seed %d: %w", d.Name, d.Network, seed, err)
	}
	dn := &Dense{Def: d, Net: data.net, Seed: seed, Theta: theta, Cached: cached,
		SecondsPerEpoch: info.Seconds / float64(max(info.Epochs, 1)),
		Train:           e.Sum(theta, data.train, nil, model.PassEval, nil),
		Test:            e.Sum(theta, data.test, nil, model.PassEval, nil),
		data:            data, e: e}
	if data.valid != nil {
		dn.Valid = e.Sum(theta, data.valid, nil, model.PassEval, nil)
	}
	dn.Learned = data.checkDense(e, seed, e.Sum(theta, data.evalTrain, nil, model.PassEval, nil))
	return dn, nil
}

// Saliencies returns the paper's LM Hessian diagonal of the dense net,
// averaged over the definition's Hessian samples, the saliencies, and the
// MNIST training-image indices of those samples.
func (dn *Dense) Saliencies() (h, s []float64, images []int, err error) {
	idx, err := dn.data.hessianIdx(dn.Def.Data.HessianSamples, dn.Seed)
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
