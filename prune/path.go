package prune

import (
	"math"

	"obd/model"
)

// connected reports whether some output unit of net still depends on its
// input under mask.
func connected(net *model.Net, mask []bool) bool {
	live := net.Reach(mask).Live
	for _, v := range live[len(live)-1] {
		if v {
			return true
		}
	}
	return false
}

// widestPath returns the parameters (true at their θ index) of one path
// from an input unit to an output unit through connections alive in mask:
// the path whose lowest parameter score is the highest, the parameters
// alive in kept counting as +Inf (so a path that kept already holds
// needs no other). Parameter-free connections count as +Inf too. Ties
// go to the first path found (lower unit indices). It returns all false
// when mask leaves no path.
func widestPath(net *model.Net, scores []float64, mask, kept []bool) []bool {
	type link struct{ i, k int } // previous unit, θ index (-1: none)
	width := make([]float64, net.Input.Size())
	reached := make([]bool, len(width))
	for u := range width {
		width[u], reached[u] = math.Inf(1), true
	}
	from := make([][]link, len(net.Layers))
	for li, l := range net.Layers {
		off := net.Offset(li)
		n := l.OutShape().Size()
		w, r, f := make([]float64, n), make([]bool, n), make([]link, n)
		l.Wire(func(o, i, k int) {
			if i < 0 || !reached[i] {
				return
			}
			s := math.Inf(1)
			if k >= 0 {
				k += off
				if !mask[k] {
					return
				}
				if !kept[k] {
					s = scores[k]
				}
			}
			if v := min(width[i], s); !r[o] || v > w[o] {
				w[o], r[o], f[o] = v, true, link{i, k}
			}
		})
		width, reached, from[li] = w, r, f
	}
	path := make([]bool, net.NumParams())
	best := -1
	for u := range width {
		if reached[u] && (best < 0 || width[u] > width[best]) {
			best = u
		}
	}
	if best < 0 {
		return path
	}
	for li := len(net.Layers) - 1; li >= 0; li-- {
		l := from[li][best]
		if l.k >= 0 {
			path[l.k] = true
		}
		best = l.i
	}
	return path
}
