package backend_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"obd/model"
)

// Product is one matrix product C = op(A)·op(B) + beta·C, op(A) m×k and
// op(B) k×n, row-major, op the transpose when tA or tB is set, as model's
// gemm takes it.
type Product struct {
	TA, TB  bool
	M, N, K int
	Beta    float64
}

// FLOPs is 2·m·n·k.
func (p Product) FLOPs() int { return 2 * p.M * p.N * p.K }

// NetProducts lists the products of one gradient pass over a chunk of
// model.ChunkSize samples, in the order the layers make them: Forward
// first to last, then Backward last to first. It mirrors Conv.Forward and
// Conv.backward (conv.go: a chunk's receptive fields side by side, one
// product for all samples; the dense out.C × in.C·K·K kernel matrix, a
// connection table's zero kernels included) and FC.Forward and FC.Backward
// (fc.go); the first layer computes no input derivative. The LM Hessian
// pass makes the same products with squared operands; an evaluation pass,
// the forward ones only. Keep it in step with those files. Conv makes each
// of these products in pieces with the same sums (gemmSerial's tiles for
// C = A·B and C = Aᵀ·B; the weight gradient column by column, or for a
// connection table kernel by kernel, leaving out the zero kernels' dot
// products): the list keeps one product per pass, the yardstick the
// roofline measures against.
func NetProducts(net *model.Net) []Product {
	n := model.ChunkSize
	var fwd, bwd []Product
	for i, l := range net.Layers {
		in, out := l.InShape(), l.OutShape()
		var f, g, dx Product
		switch l.(type) {
		case *model.Conv:
			k := in.H - out.H + 1
			col, np := in.C*k*k, n*out.H*out.W
			f = Product{M: out.C, N: np, K: col}
			g = Product{TB: true, M: out.C, N: col, K: np, Beta: 1}
			dx = Product{TA: true, M: col, N: np, K: out.C}
		case *model.FC:
			f = Product{TB: true, M: n, N: out.Size(), K: in.Size()}
			g = Product{TA: true, M: out.Size(), N: in.Size(), K: n, Beta: 1}
			dx = Product{M: n, N: in.Size(), K: out.Size()}
		default:
			continue // subsampling and pooling make no products
		}
		fwd = append(fwd, f)
		layer := []Product{g}
		if i > 0 {
			layer = append(layer, dx)
		}
		bwd = append(layer, bwd...)
	}
	return append(fwd, bwd...)
}

// gemmFunc is Dgemm's or Sgemm's signature.
type gemmFunc[T float32 | float64] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// operands are one product's matrices, filled from a seed.
type operands[T float32 | float64] struct {
	p       Product
	a, b, c []T
}

func newOperands[T float32 | float64](p Product, rng *rand.Rand) operands[T] {
	o := operands[T]{p: p, a: make([]T, p.M*p.K), b: make([]T, p.K*p.N), c: make([]T, p.M*p.N)}
	for _, s := range [][]T{o.a, o.b, o.c} {
		for i := range s {
			s[i] = T(2*rng.Float64() - 1)
		}
	}
	return o
}

func (o *operands[T]) run(gemm gemmFunc[T]) {
	p := o.p
	ta, tb, lda, ldb := blas.NoTrans, blas.NoTrans, p.K, p.N
	if p.TA {
		ta, lda = blas.Trans, p.M
	}
	if p.TB {
		tb, ldb = blas.Trans, p.K
	}
	gemm(ta, tb, p.M, p.N, p.K, 1, o.a, lda, o.b, ldb, T(p.Beta), o.c, p.N)
}

// benchProducts times the products ps in sequence. "serial": one op is one
// sequence on one goroutine. "parallel": one op is GOMAXPROCS goroutines
// each multiplying its own operands through the sequence once, as the
// engine's workers each multiply their own chunk's matrices (no product is
// split; a round ends when the slowest goroutine does). It reports GFLOP/s,
// from 2·m·n·k per product.
func benchProducts[T float32 | float64](b *testing.B, gemm gemmFunc[T], ps []Product) {
	flops := 0
	for _, p := range ps {
		flops += p.FLOPs()
	}
	setup := func(seed uint64) []operands[T] {
		rng := rand.New(rand.NewPCG(seed, 0x9e))
		var ops []operands[T]
		for _, p := range ps {
			ops = append(ops, newOperands[T](p, rng))
		}
		return ops
	}
	run := func(ops []operands[T]) {
		for i := range ops {
			ops[i].run(gemm)
		}
	}
	report := func(b *testing.B, perOp int) {
		b.ReportMetric(float64(b.N)*float64(perOp)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	b.Run("serial", func(b *testing.B) {
		ops := setup(1)
		for b.Loop() {
			run(ops)
		}
		report(b, flops)
	})
	b.Run("parallel", func(b *testing.B) {
		sets := make([][]operands[T], runtime.GOMAXPROCS(0))
		for w := range sets {
			sets[w] = setup(uint64(w + 1))
		}
		for b.Loop() {
			var wg sync.WaitGroup
			for _, ops := range sets {
				wg.Go(func() { run(ops) })
			}
			wg.Wait()
		}
		report(b, len(sets)*flops)
	})
}

// BenchmarkGEMM is the machine's matrix product rate in the same run as the
// other benchmarks, in GFLOP/s: float64 through blas64 (the backend's BLAS:
// gonum's pure Go by default, OpenBLAS under -tags openblas) and float32
// (gonum's blas32 by default, OpenBLAS's sgemm under the tag). Shapes:
// each network's products of one gradient pass over a chunk (NetProducts),
// and square products of 512 and 1024, near the machine's peak. Each
// shape runs serial and parallel (benchProducts). scripts/roofline sets the
// passes' GFLOP/s against these rates.
func BenchmarkGEMM(b *testing.B) {
	shapes := map[string][]Product{}
	var names []string
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		shapes[name] = NetProducts(net)
		names = append(names, name)
	}
	for _, s := range []int{512, 1024} {
		name := fmt.Sprint(s)
		shapes[name] = []Product{{M: s, N: s, K: s}}
		names = append(names, name)
	}
	b.Run("float64", func(b *testing.B) {
		for _, name := range names {
			b.Run(name, func(b *testing.B) { benchProducts(b, blas64.Implementation().Dgemm, shapes[name]) })
		}
	})
	b.Run("float32", func(b *testing.B) {
		for _, name := range names {
			b.Run(name, func(b *testing.B) { benchProducts(b, sgemm, shapes[name]) })
		}
	})
}
