package study

import (
	"fmt"

	"obd/datasets"
	"obd/model"
)

// sets holds the data of a run, prepared for its network.
type sets struct {
	net         *model.Net
	train, test *model.Data
	trainIdx    []int       // MNIST training-image index of each training sample
	evalTrain   *model.Data // the training images the sweep measures on
	// valid are the held-out images of data.validation (nil: none), and
	// validIdx their MNIST training-image indices, ascending.
	valid    *model.Data
	validIdx []int
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
	// The validation images are held out first; the training images are
	// drawn from the rest (pool, with poolIdx their indices in the file).
	var va *datasets.Set
	var vaIdx []int
	pool, poolIdx := train, []int(nil)
	if n := d.Data.Validation; n > 0 {
		if vaIdx, err = datasets.Stratified(train, n, validationSeed); err != nil {
			return nil, fmt.Errorf("data.validation: %w", err)
		}
		va, poolIdx = train.Subset(vaIdx), complement(vaIdx, train.N())
		pool = train.Subset(poolIdx)
	}
	tr, trIdx, err := pick(pool, d.Data.Train)
	if err != nil {
		return nil, fmt.Errorf("data.train: %w", err)
	}
	if poolIdx != nil {
		for i, j := range trIdx {
			trIdx[i] = poolIdx[j]
		}
	}
	te, _, err := pick(test, d.Data.Test)
	if err != nil {
		return nil, fmt.Errorf("data.test: %w", err)
	}
	st := &sets{net: net, train: model.NewData(net, tr), test: model.NewData(net, te), trainIdx: trIdx}
	st.evalTrain = st.train
	if va != nil {
		st.valid, st.validIdx = model.NewData(net, va), vaIdx
	}
	if n := d.Data.EvalTrain; n > 0 && n < tr.N() {
		ev, _, err := pick(tr, n)
		if err != nil {
			return nil, fmt.Errorf("data.eval_train: %w", err)
		}
		st.evalTrain = model.NewData(net, ev)
	}
	return st, nil
}

// complement returns the integers of [0, n) not in idx (which is sorted),
// in ascending order.
func complement(idx []int, n int) []int {
	out := make([]int, 0, n-len(idx))
	next := 0
	for i := range n {
		if next < len(idx) && idx[next] == i {
			next++
			continue
		}
		out = append(out, i)
	}
	return out
}

// hessianIdx picks the n training samples (class-stratified, from seed)
// that curvature is averaged over; nil means all of them (n is 0 or at
// least their number).
func (st *sets) hessianIdx(n int, seed uint64) ([]int, error) {
	if n == 0 || n >= st.train.N {
		return nil, nil
	}
	idx, err := datasets.Stratified(&datasets.Set{Labels: st.train.Labels}, n, seed)
	if err != nil {
		return nil, fmt.Errorf("data.hessian_samples: %w", err)
	}
	return idx, nil
}
