// Package backend selects the BLAS implementation behind gonum's blas64 and
// blas32, which every matrix product of the harness goes through (blas32
// for training in float32, train.Recipe.Precision).
//
// The default is gonum's pure-Go BLAS: nothing to install. Building with
// `-tags openblas` links OpenBLAS, for both blas64 and blas32, through
// gonum's cgo netlib binding (Debian: apt-get install libopenblas-dev),
// single-threaded, since the harness already runs one worker per core. Results are deterministic for
// a given backend; the two backends round differently, so their numbers
// agree only to rounding.
package backend

// Name is the BLAS backend compiled in: "gonum" or "openblas".
func Name() string { return name }
