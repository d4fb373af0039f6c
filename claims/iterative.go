package claims

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"obd/report"
)

// A ChainEnd describes where the chains of one method and scope of an
// iterative sweep end (Han et al.'s protocol, issue #19 item 5): the last
// deletion step of each seed's chain, before and after that step's
// retraining, and the retraining budget the whole chain spent.
type ChainEnd struct {
	// Fraction is the realised deleted fraction at the last step, the
	// mean over seeds.
	Fraction float64
	// Before and After are the test error (fractions) at the last step
	// just after its deletion and after its retraining, over the seeds.
	Before, After report.Stat
	// ValidAfter is the validation error after the last retraining, over
	// the seeds whose points hold one (empty when the sweep held out no
	// validation images).
	ValidAfter report.Stat
	// TrainDBGap is the training objective after the last retraining minus
	// the same seed's dense net's, in dB (10·log10, as the paper plots
	// it), over the seeds with a dense point.
	TrainDBGap report.Stat
	// Steps counts the retraining steps of every seed's chain whose epochs
	// were recorded; AtCap those that ran all cap epochs (the plateau rule
	// did not stop them: train.Recipe.Patience).
	Steps, AtCap int
	// LastEpochs is the retraining epochs of the last step, over the
	// chains whose epochs were recorded.
	LastEpochs report.Stat
}

// EndOfChain returns the ChainEnd of method in scope (every scope when
// scope is "", each scope's chain of a seed counted as a chain of its own)
// of pts, a sweep whose retraining recipe allows at most cap epochs per
// step. A chain's last step is its highest step with a retrained point.
// The zero ChainEnd (After.N 0) means pts hold no retrained point of
// method in scope.
func EndOfChain(pts []report.Point, method, scope string, cap int) ChainEnd {
	mine := Where(pts, func(p report.Point) bool {
		return p.Method == method && (scope == "" || p.Scope == scope)
	})
	type chain struct {
		seed  uint64
		scope string
	}
	var e ChainEnd
	last := map[chain]int{}
	for _, p := range mine {
		if !p.Retrained {
			continue
		}
		if c := (chain{p.Seed, p.Scope}); p.Step > last[c] {
			last[c] = p.Step
		}
		if p.RetrainEpochs != report.NotRecorded {
			e.Steps++
			if p.RetrainEpochs >= cap {
				e.AtCap++
			}
		}
	}
	if len(last) == 0 {
		return ChainEnd{}
	}
	type seedPoints struct {
		dense, before, after *report.Point
	}
	chains := map[chain]*seedPoints{}
	for c := range last {
		chains[c] = &seedPoints{}
	}
	for i := range mine {
		p := &mine[i]
		c := chain{p.Seed, p.Scope}
		s, ok := chains[c]
		switch {
		case !ok:
		case p.Step == 0:
			s.dense = p
		case p.Step == last[c] && p.Retrained:
			s.after = p
		case p.Step == last[c]:
			s.before = p
		}
	}
	order := slices.SortedFunc(maps.Keys(chains), func(a, b chain) int {
		return cmp.Or(cmp.Compare(a.seed, b.seed), cmp.Compare(a.scope, b.scope))
	})
	var frac, before, after, valid, gap, epochs []float64
	for _, c := range order {
		s := chains[c]
		frac = append(frac, s.after.FractionRemoved)
		after = append(after, s.after.TestError)
		if !math.IsNaN(s.after.ValidError) {
			valid = append(valid, s.after.ValidError)
		}
		if s.after.RetrainEpochs != report.NotRecorded {
			epochs = append(epochs, float64(s.after.RetrainEpochs))
		}
		if s.before != nil {
			before = append(before, s.before.TestError)
		}
		if s.dense != nil {
			gap = append(gap, TrainDB(*s.after)-TrainDB(*s.dense))
		}
	}
	e.Fraction = report.Describe(frac).Mean
	e.Before, e.After, e.TrainDBGap = report.Describe(before), report.Describe(after), report.Describe(gap)
	e.LastEpochs, e.ValidAfter = report.Describe(epochs), report.Describe(valid)
	return e
}

// ChainEndDiff compares two sweeps of the same seeds' chains, seed by
// seed: the test error after the last retraining of method in scope in b
// minus a's, over the seeds both sweeps finish. When both start from the
// same dense nets (the same dense recipe and data), the difference is the
// change of protocol's alone, without the dense nets' spread. lower counts
// the seeds at which b's error is below a's.
func ChainEndDiff(a, b []report.Point, method, scope string) (diff report.Stat, lower int) {
	ends := func(pts []report.Point) map[uint64]report.Point {
		end := map[uint64]report.Point{}
		for _, p := range pts {
			if p.Method == method && p.Scope == scope && p.Retrained {
				if e, ok := end[p.Seed]; !ok || p.Step > e.Step {
					end[p.Seed] = p
				}
			}
		}
		return end
	}
	ea, eb := ends(a), ends(b)
	var d []float64
	for _, seed := range slices.Sorted(maps.Keys(ea)) {
		if q, ok := eb[seed]; ok {
			d = append(d, q.TestError-ea[seed].TestError)
			if q.TestError < ea[seed].TestError {
				lower++
			}
		}
	}
	return report.Describe(d), lower
}
