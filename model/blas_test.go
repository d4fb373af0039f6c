package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"obd/backend"
)

// TestGemmSerialBitIdentical checks that gemmSerial's tiles give gemm's
// bits for C = A·B and C = Aᵀ·B on shapes that cross the tile edges and
// that gonum would multiply in parallel, with zero entries in A (which
// gonum skips), beta 0 and 1, in both precisions. It guards the claim
// gemmSerial rests on: gonum adds the terms of each entry of C in the same
// order on its serial and parallel paths.
func TestGemmSerialBitIdentical(t *testing.T) {
	if backend.Name() != "gonum" {
		t.Skip("gemmSerial is gemm under", backend.Name())
	}
	shapes := [][3]int{{4, 9216, 25}, {12, 1024, 100}, {100, 1024, 12}, {130, 400, 70}, {65, 193, 3}}
	for _, sh := range shapes {
		for _, tA := range []bool{false, true} {
			for _, beta := range []float64{0, 1} {
				testGemmSerial[float64](t, tA, sh, beta)
				testGemmSerial[float32](t, tA, sh, beta)
			}
		}
	}
}

func testGemmSerial[T Float](t *testing.T, tA bool, sh [3]int, beta float64) {
	m, n, k := sh[0], sh[1], sh[2]
	rng := rand.New(rand.NewPCG(uint64(m*n), uint64(k)))
	fill := func(s []T, zeros bool) {
		for i := range s {
			s[i] = T(2*rng.Float64() - 1)
			if zeros && i%3 == 0 {
				s[i] = 0
			}
		}
	}
	a, b, c := make([]T, m*k), make([]T, k*n), make([]T, m*n)
	fill(a, true)
	fill(b, false)
	fill(c, false)
	want := append([]T(nil), c...)
	lda := k
	if tA {
		lda = m
	}
	gemm(tA, false, m, n, k, 1, a, lda, b, n, T(beta), want, n)
	gemmSerial(tA, m, n, k, a, lda, b, n, T(beta), c, n)
	for i := range c {
		if math.Float64bits(float64(c[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%T tA=%v %d×%d×%d beta %v: C[%d] = %v, gemm gives %v", c[0], tA, m, n, k, beta, i, c[i], want[i])
		}
	}
}
