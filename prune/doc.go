// Package prune decides which free parameters to delete.
//
// A Method scores the parameters that are still alive; lower scores are
// deleted first. One file per method: obd.go (saliencies from any of the
// curvature estimators; the paper's LM diagonal is the default),
// magnitude.go and random.go. Select applies a scope — global, all free
// parameters ranked together as OBD does, or per-layer, the same fraction
// in each layer, keeping a weight in each and a path from input to output
// — and returns the new mask. Measure says what a mask leaves: parameters,
// the connections that can still reach the output, and the layers cut off
// from it. Counts are in free parameters: a shared kernel weight is one
// parameter, as in the paper.
//
// Methods never print and never train; the harness does both.
package prune
