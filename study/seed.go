package study

// retrainingSeed is the shuffling seed of the retraining that follows
// deletion step step (1-based) of a unit of seed seed: seed·1000 + step.
// It differs from the dense training's seed (seed itself) and from every
// other step's, since a schedule has fewer than 1000 targets
// (maxTargets); it does not depend on the method or scope, so every
// method's retraining at a step sees the same order of samples.
func retrainingSeed(seed uint64, step int) uint64 {
	return seed*1000 + uint64(step)
}
