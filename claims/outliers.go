package claims

import (
	"slices"

	"obd/report"
)

// OutlierFactor is how far above its siblings a dense net's training
// objective must end to be flagged by DenseOutliers: more than 1.25 times
// the median over the definition's seeds. In the committed results the
// other dense nets end within 1.06 times their definition's median, and
// the one seed of lenet1's 55,000-image recipe whose training partly
// diverged at 1.34 times it (12 times under OpenBLAS).
const OutlierFactor = 1.25

// OutlierMinSeeds is the fewest seeds DenseOutliers judges: with fewer,
// no median stands apart from the net it would judge.
const OutlierMinSeeds = 3

// A DenseOutlier is a dense net that trained far worse than the other
// seeds of its definition: the same recipe and data, another seed.
type DenseOutlier struct {
	Seed uint64
	// TrainObjective is the net's training objective; Median the median
	// of the definition's seeds' (the same measure, per pattern).
	TrainObjective, Median float64
	// TrainError and TestError are the net's error rates (fractions).
	TrainError, TestError float64
}

// DenseOutliers lists the dense nets of pts (Dense: one per seed) whose
// training objective is above OutlierFactor times the median of the
// seeds', in seed order; nil for a definition with fewer than
// OutlierMinSeeds seeds. Such a net is a measurement of what the
// recipe gave that seed, not a failure (study's did-not-learn rules judge
// those), but every row of its seed starts from it, so readers should
// know.
func DenseOutliers(pts []report.Point) []DenseOutlier {
	d := Dense(pts)
	if len(d) < OutlierMinSeeds {
		return nil
	}
	objs := make([]float64, len(d))
	for i, p := range d {
		objs[i] = p.TrainMSE
	}
	slices.Sort(objs)
	med := objs[len(objs)/2]
	if len(objs)%2 == 0 {
		med = (objs[len(objs)/2-1] + objs[len(objs)/2]) / 2
	}
	var out []DenseOutlier
	for _, p := range d {
		if p.TrainMSE > OutlierFactor*med {
			out = append(out, DenseOutlier{Seed: p.Seed, TrainObjective: p.TrainMSE, Median: med, TrainError: p.TrainError, TestError: p.TestError})
		}
	}
	slices.SortFunc(out, func(a, b DenseOutlier) int { return int(a.Seed) - int(b.Seed) })
	return out
}
