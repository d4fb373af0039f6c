//go:build openblas

package backend_test

import "gonum.org/v1/netlib/blas/netlib"

// sgemm is the float32 product BenchmarkGEMM times: OpenBLAS's sgemm through
// gonum's netlib binding, single-threaded like its dgemm (backend's init).
var sgemm gemmFunc[float32] = netlib.Implementation{}.Sgemm
