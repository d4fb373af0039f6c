package model

import (
	"obd/backend" // selects the BLAS implementation (build tag openblas)

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemm computes C = alpha·op(A)·op(B) + beta·C on row-major slices through
// whichever BLAS implementation blas64 (Dgemm, for float64) or blas32
// (Sgemm, for float32) is using.
func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float64:
		blas64.Implementation().Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	case []float32:
		blas32.Implementation().Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	}
}

// Tiles of gemmSerial: gonum's Dgemm and Sgemm split C into 64×64 blocks
// and hand them to goroutines when there are at least 4 (blas/gonum:
// blockSize, minParBlock); a tile of at most 64 rows and 192 columns is
// 1×3 blocks, which they multiply on the calling goroutine.
const (
	serialRows = 64
	serialCols = 3 * 64
)

// gemmSerial is gemm with op(B) = B (the products C = A·B and C = Aᵀ·B),
// kept on the calling goroutine. The engine already runs one worker per
// core, so gonum's parallel path would only add goroutines (one per 64×64
// block of C, 144 for lenet1's h1 over a chunk) and their allocations.
// The result is bit for bit gemm's: in both of these products gonum's
// kernels add the k terms of each C entry in order, l = 0, 1, …, k−1
// (AxpyUnitary along rows of B, skipping zero entries of A), whether the
// entry is computed in a tile or in a block of the parallel path, so
// splitting C into tiles changes no sum. (For C = A·Bᵀ it would: gonum's
// parallel path splits the dot products at every 64 terms.) Under OpenBLAS
// it is gemm, unsplit.
func gemmSerial[T Float](tA bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if backend.Name() != "gonum" || (m <= serialRows && n <= serialCols) {
		gemm(tA, false, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += serialRows {
		mi := min(serialRows, m-i)
		var ai []T
		if tA {
			ai = a[i:]
		} else {
			ai = a[i*lda:]
		}
		for j := 0; j < n; j += serialCols {
			gemm(tA, false, mi, min(serialCols, n-j), k, 1, ai, lda, b[j:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// serialDots says whether gonum makes C = A·Bᵀ with C m×n on the calling
// goroutine, one whole dot product per entry of C (not split at every 64
// terms, as its parallel path does): then any part of C can be computed on
// its own with the same bits.
func serialDots(m, n int) bool {
	return ((m+63)/64)*((n+63)/64) < 4
}

func square[T Float](dst, src []T) {
	for i, v := range src {
		dst[i] = v * v
	}
}
