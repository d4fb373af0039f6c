package prune

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"obd/model"
)

// Scope says how deletions are spread over the network.
type Scope string

const (
	// Global ranks all free parameters together (OBD's way).
	Global Scope = "global"
	// PerLayer deletes the same fraction of each layer's parameters.
	PerLayer Scope = "per-layer"
)

// ParseScope checks a scope name.
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case Global, PerLayer:
		return Scope(s), nil
	}
	return "", fmt.Errorf("unknown scope %q (known: %s, %s)", s, Global, PerLayer)
}

// Selection is the outcome of Select.
type Selection struct {
	Mask    []bool // the new mask
	Deleted []int  // parameters deleted by this selection, in order of score
	// ScoreSum is the sum of the deleted parameters' scores.
	ScoreSum float64
}

// Select deletes alive parameters with the lowest scores until the
// fraction of all free parameters that is deleted reaches target (globally,
// or in every layer for PerLayer), the count rounded to the nearest
// integer. mask may be nil (all alive); it is not modified. Ties are
// broken by parameter index, so the choice is deterministic. A target
// below the current deleted fraction deletes nothing.
//
// With PerLayer, each layer keeps at least one weight, a parameter that is
// not a bias (Net.Biases): a layer without weights computes a constant,
// and the net's output would no longer depend on its input. When the
// target would delete every weight left in a layer, the layer's
// highest-scored alive weight is kept and the parameters after it in score
// order are deleted in its place while any are left; when none are (the
// target rounds to the whole layer, as 0.9375 of lenet1's 8-parameter h2
// does), the layer's realised fraction falls short of the target. A layer
// that enters with no alive weight stays so. Global scope has no such rule:
// it may empty a layer, which Measure reports.
func Select(net *model.Net, scores []float64, mask []bool, target float64, scope Scope) (Selection, error) {
	if !(target >= 0 && target < 1) {
		return Selection{}, fmt.Errorf("target fraction %v outside [0, 1)", target)
	}
	if len(scores) != net.NumParams() {
		return Selection{}, fmt.Errorf("%d scores for %d parameters", len(scores), net.NumParams())
	}
	for k, v := range scores {
		if math.IsNaN(v) {
			return Selection{}, fmt.Errorf("score of %s is NaN", net.ParamName(k))
		}
	}
	sel := Selection{Mask: make([]bool, net.NumParams())}
	for k := range sel.Mask {
		sel.Mask[k] = mask == nil || mask[k]
	}
	var groups [][2]int
	switch scope {
	case Global:
		groups = [][2]int{{0, net.NumParams()}}
	case PerLayer:
		for i := range net.Layers {
			if lo, hi := net.Offset(i), net.Offset(i+1); hi > lo {
				groups = append(groups, [2]int{lo, hi})
			}
		}
	default:
		return Selection{}, fmt.Errorf("unknown scope %q", scope)
	}
	var bias []bool
	if scope == PerLayer {
		bias = net.Biases()
	}
	for _, g := range groups {
		var alive []int
		for k := g[0]; k < g[1]; k++ {
			if sel.Mask[k] {
				alive = append(alive, k)
			}
		}
		total := g[1] - g[0]
		n := int(math.Round(target*float64(total))) - (total - len(alive))
		if n <= 0 {
			continue
		}
		// By score, ties by index: the order of a stable sort of alive
		// (ascending indices), at the cost of an unstable one.
		slices.SortFunc(alive, func(a, b int) int {
			if c := cmp.Compare(scores[a], scores[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		if bias != nil {
			// alive is in score order, so the n lowest take every weight
			// exactly when they take the last one.
			last := -1
			for j := len(alive) - 1; j >= 0; j-- {
				if !bias[alive[j]] {
					last = j
					break
				}
			}
			if last >= 0 && last < n {
				alive = slices.Delete(alive, last, last+1)
				n = min(n, len(alive))
			}
		}
		for _, k := range alive[:n] {
			sel.Mask[k] = false
			sel.Deleted = append(sel.Deleted, k)
			sel.ScoreSum += scores[k]
		}
	}
	return sel, nil
}

// Count returns the number of alive parameters and the connections that
// use them under mask, whether or not those connections can still reach
// the output: what a sparse format stores. Measure counts only the
// connections that matter, as points.csv records them.
func Count(net *model.Net, mask []bool) (params, connections int) {
	conns := net.ConnectionsPerParam()
	var c float64
	for k, v := range conns {
		if mask == nil || mask[k] {
			params++
			c += v
		}
	}
	return params, int(c)
}
