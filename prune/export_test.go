package prune

import "slices"

// OBSDeleteEach deletes each parameter of ks alone from s with OBS's
// correction (one Hessian for all of them) and returns, for each, the
// corrected parameters and the predicted increase L_k: single deletions
// other than the least salient, for tests.
func OBSDeleteEach(m OBS, s *State, ks []int) ([][]float64, []float64, error) {
	c, err := m.start(s)
	if err != nil {
		return nil, nil, err
	}
	hinv := slices.Clone(c.hinv)
	var thetas [][]float64
	var ls []float64
	for _, k := range ks {
		one := &obsChain{m: m, st: c.st, keep: c.keep, hinv: slices.Clone(hinv), in: slices.Clone(c.in)}
		one.st.Theta, one.st.Mask = slices.Clone(c.st.Theta), slices.Clone(c.st.Mask)
		l, err := one.remove([]int{slices.Index(c.keep, k)})
		if err != nil {
			return nil, nil, err
		}
		thetas, ls = append(thetas, one.st.Theta), append(ls, l)
	}
	return thetas, ls, nil
}

// OBSChainUncompacted deletes to n like a Surgeon's DeleteTo, without
// compacting H⁻¹.
func OBSChainUncompacted(m OBS, s *State, n int) ([]float64, []bool, float64, error) {
	c, err := m.start(s)
	if err != nil {
		return nil, nil, 0, err
	}
	var predicted float64
	for deleted := len(s.Theta) - len(c.keep); deleted < n; deleted++ {
		l, err := c.remove(c.lowest(1))
		if err != nil {
			return nil, nil, 0, err
		}
		predicted += l
	}
	return c.st.Theta, c.st.Mask, predicted, nil
}

// LayerwiseRows returns obs-layerwise's rows at s, for tests: each row's
// θ indices and the undamped Hessian of its reconstruction error over
// them, in that order (row-major).
func LayerwiseRows(m OBSLayerwise, s *State) ([][]int, [][]float64, error) {
	c, err := m.setup(s)
	if err != nil {
		return nil, nil, err
	}
	var thetas [][]int
	var hs [][]float64
	for _, r := range c.rows {
		l := c.layers[r.layer]
		n := len(r.pos)
		h := make([]float64, n*n)
		for a, i := range r.pos {
			for b, j := range r.pos {
				h[a*n+b] = l.h[i*l.d+j]
			}
		}
		thetas, hs = append(thetas, r.theta), append(hs, h)
	}
	return thetas, hs, nil
}
