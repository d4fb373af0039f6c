//go:build !openblas

package backend_test

import "gonum.org/v1/gonum/blas/blas32"

// sgemm is the float32 product BenchmarkGEMM times: gonum's pure-Go blas32.
var sgemm gemmFunc[float32] = blas32.Implementation().Sgemm
