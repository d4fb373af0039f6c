package claims

import (
	"math"
	"sort"
)

// Ranks returns the rank (0 for the smallest) of each value of x, ties
// broken by index.
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for rank, i := range idx {
		r[i] = float64(rank)
	}
	return r
}

// Spearman is the rank correlation of a and b (same length, at least two
// values): the Pearson correlation of their Ranks.
func Spearman(a, b []float64) float64 {
	ra, rb := Ranks(a), Ranks(b)
	n := float64(len(a))
	var sa, sb, sab, saa, sbb float64
	for i := range ra {
		sa += ra[i]
		sb += rb[i]
	}
	ma, mb := sa/n, sb/n
	for i := range ra {
		sab += (ra[i] - ma) * (rb[i] - mb)
		saa += (ra[i] - ma) * (ra[i] - ma)
		sbb += (rb[i] - mb) * (rb[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// LowestOverlap is the fraction of the k = ⌊f·n⌋ lowest entries of a that
// are also among the k lowest of b (n = len(a) = len(b)): how much of what
// OBD would delete first two saliencies agree on. NaN when k is 0.
func LowestOverlap(a, b []float64, f float64) float64 {
	k := int(f * float64(len(a)))
	ra, rb := Ranks(a), Ranks(b)
	both := 0
	for i := range ra {
		if ra[i] < float64(k) && rb[i] < float64(k) {
			both++
		}
	}
	return float64(both) / float64(k)
}
