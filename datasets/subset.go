package datasets

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// pcgStream is the fixed second PCG seed word used by [Stratified]. Changing
// it changes every stratified subset; do not.
const pcgStream = 0x4f4244_1990 // "OBD", 1990

// Subset returns a new Set holding copies of the examples idx, in that
// order. It panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	out := &Set{Images: make([]uint8, 0, len(idx)*Pixels), Labels: make([]uint8, 0, len(idx))}
	for _, i := range idx {
		out.Images = append(out.Images, s.Image(i)...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out
}

// FirstN returns the indices 0, 1, …, n−1 (none if n ≤ 0).
func FirstN(n int) []int {
	idx := make([]int, max(n, 0))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Stratified returns n indices into s, balanced over the classes: n/10 from
// each class, and one more from each of classes 0, 1, …, n%10−1. Within a
// class the examples are chosen uniformly at random without replacement
// (partial Fisher–Yates over the class's indices in ascending order, classes
// visited 0 to 9) by rand.New(rand.NewPCG(seed, pcgStream)). The result is
// sorted ascending and depends only on s's labels, n and seed.
func Stratified(s *Set, n int, seed uint64) ([]int, error) {
	if n <= 0 || n > s.N() {
		return nil, fmt.Errorf("mnist: stratified subset of %d from %d examples: n must be in 1..%d", n, s.N(), s.N())
	}
	var byClass [Classes][]int
	for i, l := range s.Labels {
		if l >= Classes {
			return nil, fmt.Errorf("mnist: stratified subset: label %d at index %d out of range", l, i)
		}
		byClass[l] = append(byClass[l], i)
	}
	r := rand.New(rand.NewPCG(seed, pcgStream))
	out := make([]int, 0, n)
	for c, pool := range byClass {
		q := n / Classes
		if c < n%Classes {
			q++
		}
		if q > len(pool) {
			return nil, fmt.Errorf("mnist: stratified subset of %d: class %d has %d examples, need %d", n, c, len(pool), q)
		}
		for i := range q {
			j := i + r.IntN(len(pool)-i)
			pool[i], pool[j] = pool[j], pool[i]
		}
		out = append(out, pool[:q]...)
	}
	slices.Sort(out)
	return out, nil
}
