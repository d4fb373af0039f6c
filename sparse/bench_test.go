package sparse_test

import (
	"fmt"
	"runtime"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/sparse"
)

// Both inference benchmarks run single-threaded (GOMAXPROCS 1 for the
// benchmark's duration, which also keeps gonum's Dgemm from splitting a
// product over goroutines; OpenBLAS is single-threaded already), one
// forward pass over sparse.BenchBatch = 64 samples per op, on
// nettest.Random(net, 64, 1) at sparse.BenchTheta(net, 1).

func singleThreaded(b *testing.B) {
	prev := runtime.GOMAXPROCS(1)
	b.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// BenchmarkDenseInference is the dense harness's forward pass: a
// model.Workspace of 64 samples, one matrix product per layer through the
// BLAS backend.
func BenchmarkDenseInference(b *testing.B) {
	for _, name := range model.Names() {
		b.Run(name, func(b *testing.B) {
			singleThreaded(b)
			net, _ := model.ByName(name)
			d := nettest.Random(net, sparse.BenchBatch, 1)
			theta := sparse.BenchTheta(net, 1)
			ws := net.NewWorkspace(d.N)
			copy(ws.X, d.X)
			for b.Loop() {
				ws.Forward(theta, d.N)
			}
			b.ReportMetric(float64(b.N*d.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkSparseInference is the sparse forward pass of the same net with
// 0, 50, 75, 90 and 95% of each layer's free parameters deleted by
// magnitude.
func BenchmarkSparseInference(b *testing.B) {
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		theta := sparse.BenchTheta(net, 1)
		for _, pct := range sparse.BenchDeleted {
			b.Run(fmt.Sprintf("%s/%d", name, pct), func(b *testing.B) {
				singleThreaded(b)
				d := nettest.Random(net, sparse.BenchBatch, 1)
				mask, err := sparse.MagnitudeMask(net, theta, float64(pct)/100)
				if err != nil {
					b.Fatal(err)
				}
				sp, err := sparse.New(net, theta, mask)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					sp.Forward(d.X, d.N)
				}
				b.ReportMetric(float64(b.N*d.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
