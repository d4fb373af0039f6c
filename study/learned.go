package study

import (
	"errors"
	"fmt"
	"math"

	"obd/model"
)

// ErrDidNotLearn marks a training that ended without learning: a dense
// net that is no better than chance or worse than where it started, or a
// retraining whose objective exploded. Such a net is not a measurement of
// the network it names: its units fail instead of writing points.
var ErrDidNotLearn = errors.New("training did not learn")

// MaxDenseErrorRate is the training error at or above which a dense net
// counts as at chance level: 1 − 2/K of K classes (80% for MNIST's ten),
// that is at most twice the accuracy of guessing. Every recipe that
// learns at all ends far below it; the nets it catches (an exploded or
// saturated training) end near 90%.
func MaxDenseErrorRate(classes int) float64 { return 1 - 2/float64(classes) }

// maxRetrainingGrowth bounds how much a retraining may raise the training
// objective of the net it starts from before it counts as exploded.
const maxRetrainingGrowth = 10

// checkDense says whether a trained dense net learned: its training error
// (measured on the sweep's training images) must be below
// MaxDenseErrorRate and its mean objective below the initial net's. Only
// the dense net is held to this: a pruned net that ends at chance after
// deleting 95% of its parameters is a measurement, and its retraining is
// judged by checkRetraining against its own start.
func checkDense(initial, final model.Stats, classes int) error {
	lim := MaxDenseErrorRate(classes)
	switch {
	case !(final.MeanLoss() < initial.MeanLoss()):
		return fmt.Errorf("%w: training objective %.4g after training, %.4g before (error %.1f%%)",
			ErrDidNotLearn, final.MeanLoss(), initial.MeanLoss(), 100*final.ErrorRate())
	case final.ErrorRate() >= lim:
		return fmt.Errorf("%w: training error %.1f%%, at chance level (≥ %.0f%% of %d classes); objective %.4g, %.4g before training",
			ErrDidNotLearn, 100*final.ErrorRate(), 100*lim, classes, final.MeanLoss(), initial.MeanLoss())
	}
	return nil
}

// checkRetraining says whether a retraining exploded: its mean training
// objective after must stay finite and at most maxRetrainingGrowth times
// the objective of the pruned net it started from (before).
func checkRetraining(before, after float64) error {
	a, b := after, before
	if math.IsNaN(a) || math.IsInf(a, 0) || a > maxRetrainingGrowth*b {
		return fmt.Errorf("%w: retraining raised the training objective from %.4g to %.4g (more than %d×)",
			ErrDidNotLearn, b, a, maxRetrainingGrowth)
	}
	return nil
}
