//go:build openblas

package backend_test

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// sgemm is the float32 product BenchmarkGEMM times: OpenBLAS's sgemm through
// gonum's netlib binding, single-threaded like its dgemm (backend's init).
var sgemm gemmFunc[float32] = netlib.Implementation{}.Sgemm

// Under the openblas tag, float32 products go through OpenBLAS too: model's
// gemm calls blas32, which backend's init points at netlib.
func TestBLAS32IsOpenBLAS(t *testing.T) {
	if _, ok := blas32.Implementation().(netlib.Implementation); !ok {
		t.Errorf("blas32 uses %T, not OpenBLAS", blas32.Implementation())
	}
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Errorf("blas64 uses %T, not OpenBLAS", blas64.Implementation())
	}
}
