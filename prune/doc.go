// Package prune decides which free parameters to delete.
//
// A Method scores the parameters that are still alive; lower scores are
// deleted first. Every method has one line in the registry (method.go),
// which New and Methods read, and one file: obd.go (saliencies from any of
// the curvature estimators; the paper's LM diagonal is the default),
// magnitude.go, random.go, obs.go (Optimal Brain Surgeon, Hassibi &
// Stork 1993) and obslayerwise.go (layer-wise OBS on each layer's
// reconstruction error, Dong et al. 2017 and Frantar & Alistarh 2022,
// whose layer Hessians reconstruction.go builds). A definition names a method by a Spec: its name, and the
// parameters it takes ({name: obs, damping: 0.01}); Spec.String labels it
// in outputs and unit keys, the bare name when no parameter is given.
//
// A method that deletes by itself, correcting the surviving parameters
// after each deletion as OBS does, has the optional Updater capability,
// which the harness asserts where it deletes: its Surgeon continues a
// chain of deletions to each target count, globally unless it is also a
// ScopedUpdater (obs-layerwise: global or per layer). Other methods are applied by
// Select, which applies a scope — global, all free parameters ranked
// together as OBD does, or per-layer, the same fraction in each layer,
// keeping a weight in each and a path from input to output — and returns
// the new mask; their deleted parameters are set to zero. Measure says
// what a mask leaves: parameters, the connections that can still reach
// the output, and the layers cut off from it. Counts are in free
// parameters: a shared kernel weight is one parameter, as in the paper.
//
// Methods never print and never train; the harness does both.
package prune
