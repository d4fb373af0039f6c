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
	// Budget deletes from each layer in proportion to what a per-layer
	// budget (Budgets) deletes from it, as Han et al. (2015) prune each
	// layer to its own kept fraction: SelectBudgets.
	Budget Scope = "budget"
)

// ParseScope checks a scope name.
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case Global, PerLayer, Budget:
		return Scope(s), nil
	}
	return "", fmt.Errorf("unknown scope %q (known: %s, %s, %s)", s, Global, PerLayer, Budget)
}

// Budgets are the fractions of each layer's free parameters (weights and
// biases) that a budgeted deletion keeps at its last target, indexed like
// Net.Layers; the entries of layers without parameters are ignored. Han et
// al. (2015, Table 1 and 4) give such kept fractions per layer: for
// LeNet-300-100 fc1 8%, fc2 9%, fc3 26%; for LeNet-5 conv1 66%, conv2 12%,
// fc1 8%, fc2 19% (of the weights; a layer's few biases count with them
// here).
type Budgets []float64

// Deleted returns the fraction of the net's free parameters deleted when
// every layer keeps exactly its budget: the last target of a budgeted
// deletion.
func (b Budgets) Deleted(net *model.Net) float64 {
	kept := 0.0
	for i := range net.Layers {
		kept += b[i] * float64(net.Offset(i+1)-net.Offset(i))
	}
	return 1 - kept/float64(net.NumParams())
}

// Validate checks one kept fraction in (0, 1] per layer of net.
func (b Budgets) Validate(net *model.Net) error {
	if len(b) != len(net.Layers) {
		return fmt.Errorf("%d budgets for the %d layers of %s", len(b), len(net.Layers), net.Name)
	}
	for i, f := range b {
		if net.Offset(i+1) > net.Offset(i) && !(f > 0 && f <= 1) {
			return fmt.Errorf("layer %s: kept fraction %v outside (0, 1]", net.Layers[i].Name(), f)
		}
	}
	return nil
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
// not a bias (Net.Biases), and the net keeps a path from its input to its
// output: a layer without weights computes a constant, and so does a net
// whose every path is cut, and then its output no longer depends on its
// input. When the target would delete every weight left in a layer, the
// layer's highest-scored alive weight is kept; if the layers' weights
// still leave no path, the weights of one path are kept instead, one per
// layer: the path whose lowest score is highest, weights kept anyway
// counting as the highest. A kept weight's place is taken by the
// parameters after it in score order while any are left; when none are
// (the target rounds to the whole layer, as 0.9375 of lenet1's
// 8-parameter h2 does), the layer's realised fraction falls short of the
// target. A mask that already has a layer without weights, or no path,
// stays so. Global scope has no such rule: it may cut layers off, which
// Measure reports.
func Select(net *model.Net, scores []float64, mask []bool, target float64, scope Scope) (Selection, error) {
	if scope == Budget {
		return Selection{}, fmt.Errorf("scope %s needs the layers' budgets: SelectBudgets", Budget)
	}
	return selectIn(net, scores, mask, target, scope, nil)
}

// SelectBudgets deletes as Select does with PerLayer, except that the
// layers' fractions follow the budgets b: at target f, layer i deletes
// (f/F)·(1 − b[i]) of its free parameters, F = b.Deleted(net), so that the
// whole net's deleted fraction is f and at f = F every layer keeps exactly
// its budget (each count rounded to the nearest integer). Like PerLayer,
// every layer keeps a weight and the net a path from input to output. A
// target above F, or budgets that do not fit the net, are an error.
func SelectBudgets(net *model.Net, scores []float64, mask []bool, target float64, b Budgets) (Selection, error) {
	if err := b.Validate(net); err != nil {
		return Selection{}, err
	}
	if F := b.Deleted(net); target > F {
		return Selection{}, fmt.Errorf("target fraction %v beyond the %v the budgets delete", target, F)
	}
	return selectIn(net, scores, mask, target, Budget, b)
}

// selectIn is Select, and SelectBudgets for scope Budget.
func selectIn(net *model.Net, scores []float64, mask []bool, target float64, scope Scope, b Budgets) (Selection, error) {
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
	start := make([]bool, net.NumParams())
	for k := range start {
		start[k] = mask == nil || mask[k]
	}
	switch scope {
	case Global:
		return deleteLowest(scores, start, []group{{0, net.NumParams(), target}}, nil), nil
	case PerLayer, Budget:
	default:
		return Selection{}, fmt.Errorf("unknown scope %q", scope)
	}
	var groups []group
	for i := range net.Layers {
		if lo, hi := net.Offset(i), net.Offset(i+1); hi > lo {
			groups = append(groups, group{lo, hi, layerTarget(net, target, scope, b, i)})
		}
	}
	bias := net.Biases()
	sel := deleteLowest(scores, start, groups, func(alive []int) int {
		// The best weight: alive is in score order, so the lowest
		// deletions take every weight exactly when they take this one.
		for j := len(alive) - 1; j >= 0; j-- {
			if !bias[alive[j]] {
				return alive[j]
			}
		}
		return -1
	})
	if connected(net, sel.Mask) || !connected(net, start) {
		return sel, nil
	}
	path := widestPath(net, scores, start, sel.Mask)
	return deleteLowest(scores, start, groups, func(alive []int) int {
		for _, k := range alive {
			if path[k] {
				return k
			}
		}
		return -1
	}), nil
}

// layerTarget is the fraction of layer i's parameters that a per-layer
// selection at target deletes: target itself for PerLayer, and
// (target/F)·(1 − b[i]) for Budget, F = b.Deleted(net).
func layerTarget(net *model.Net, target float64, scope Scope, b Budgets, i int) float64 {
	if scope == Budget {
		return target / b.Deleted(net) * (1 - b[i])
	}
	return target
}

// LayerCounts is the number of parameters of each layer that Select with
// PerLayer (scope PerLayer) or SelectBudgets with b (scope Budget) deletes
// from the full net at target: each layer's fraction (layerTarget) of its
// parameters, rounded to the nearest integer, before the weight each layer
// keeps. Two targets with the same counts select the same net.
func LayerCounts(net *model.Net, target float64, scope Scope, b Budgets) []int {
	c := make([]int, len(net.Layers))
	for i := range net.Layers {
		c[i] = int(math.Round(layerTarget(net, target, scope, b, i) * float64(net.Offset(i+1)-net.Offset(i))))
	}
	return c
}

// group is a range [lo, hi) of parameters and the fraction of them to
// delete.
type group struct {
	lo, hi int
	target float64
}

// deleteLowest deletes, in each group of parameters, the alive ones
// (start) with the lowest scores until the group's deleted fraction
// reaches its target. spare (nil: none) is given a group's alive parameters
// in score order and names one that must stay (or returns -1); the
// parameters after it in score order are deleted in its place while any
// are left.
func deleteLowest(scores []float64, start []bool, groups []group, spare func(alive []int) int) Selection {
	sel := Selection{Mask: slices.Clone(start)}
	for _, g := range groups {
		var alive []int
		for k := g.lo; k < g.hi; k++ {
			if sel.Mask[k] {
				alive = append(alive, k)
			}
		}
		total := g.hi - g.lo
		n := int(math.Round(g.target*float64(total))) - (total - len(alive))
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
		if spare != nil {
			if j := slices.Index(alive, spare(alive)); j >= 0 && j < n {
				alive = slices.Delete(alive, j, j+1)
				n = min(n, len(alive))
			}
		}
		for _, k := range alive[:n] {
			sel.Mask[k] = false
			sel.Deleted = append(sel.Deleted, k)
			sel.ScoreSum += scores[k]
		}
	}
	return sel
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
