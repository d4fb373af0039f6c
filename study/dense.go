package study

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	theta, info, cached, err := dense(ctx, d, data, e, seed, env.Out, env.progress(d))
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
