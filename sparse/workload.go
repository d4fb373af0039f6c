package sparse

import (
	"math/rand/v2"

	"obd/model"
	"obd/prune"
)

// The inference benchmarks (BenchmarkSparseInference and
// BenchmarkDenseInference in bench_test.go) and scripts/sparsebench share
// the workload below, so that their numbers describe the same thing.

// BenchBatch is the number of samples per benchmark op: one forward pass
// over BenchBatch samples, for the dense harness (a model.Workspace of that
// capacity, one matrix product per layer for the whole batch) and for Net.
const BenchBatch = 64

// BenchDeleted lists the deletion levels benchmarked, in percent of the
// free parameters. At 0 nothing is deleted: the sparse kernels against the
// dense ones on the same multiply-accumulates, the baseline that the
// pruned levels' speedups are to be read against.
var BenchDeleted = []int{0, 50, 75, 90, 95}

// BenchTheta is the benchmark's dense parameters: net.Init(seed) with the
// biases (zero at initialisation) drawn uniformly in ±0.1, so that
// magnitude pruning does not delete every bias first.
func BenchTheta(net *model.Net, seed uint64) []float64 {
	theta := net.Init(seed)
	rng := rand.New(rand.NewPCG(seed, 0xb1a5))
	for i, l := range net.Layers {
		for _, t := range l.Tensors() {
			if t.Name != "bias" {
				continue
			}
			b := theta[net.Offset(i)+t.Offset:][:t.Len]
			for k := range b {
				b[k] = 0.1 * (2*rng.Float64() - 1)
			}
		}
	}
	return theta
}

// MagnitudeMask deletes the given fraction of each layer's free parameters,
// those of smallest magnitude (prune's magnitude method, per-layer scope),
// the usual shape of a magnitude-pruned net.
func MagnitudeMask(net *model.Net, theta []float64, deleted float64) ([]bool, error) {
	scores, err := prune.Magnitude{}.Scores(&prune.State{Theta: theta})
	if err != nil {
		return nil, err
	}
	sel, err := prune.Select(net, scores, nil, deleted, prune.PerLayer)
	if err != nil {
		return nil, err
	}
	return sel.Mask, nil
}

// Masked returns a copy of theta with the deleted parameters set to 0: what
// the dense harness runs for a pruned net.
func Masked(theta []float64, mask []bool) []float64 {
	t := append([]float64(nil), theta...)
	for k := range t {
		if mask != nil && !mask[k] {
			t[k] = 0
		}
	}
	return t
}
