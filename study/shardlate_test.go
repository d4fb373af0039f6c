package study

import (
	"context"
	"strings"
	"testing"

	"obd/model/nettest"
)

// recorderFunc is a Recorder that calls f with every event.
type recorderFunc func(Event)

func (f recorderFunc) Record(e Event) { f(e) }

// The shard that finishes last writes the outputs, and its manifest lists
// every seed's dense net, also those another shard trained while it ran:
// han-lenet5-iterative-long's last shard, started before the other shards
// had trained seeds 1 and 2, listed only its own seed 3.
func TestLastShardListsEveryDenseNet(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small lenet1")
	}
	m := nettest.MNIST(t)
	def, err := Parse("t.yaml", strings.NewReader(`name: t
network: lenet1
data: {train: 300, test: 100, hessian_samples: 50}
training: {epochs: 1, batch_size: 32, lr: 0.01, momentum: 0.9}
methods: [magnitude]
schedule: oneshot
grid: [0.5]
seeds: [1, 2]
`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx := context.Background()
	var first error
	ran := false
	// Shard 1/2 (seed 2) starts first; once its dense net is trained,
	// shard 0/2 runs seed 1 through, as another process would meanwhile.
	late := Env{MNIST: m, Out: out, Workers: 1, Shard: Shard{Index: 1, Count: 2}, Recorder: recorderFunc(func(e Event) {
		if d, ok := e.(DenseDone); ok && d.Seed == 2 && !ran {
			ran = true
			_, first = Run(ctx, def, Env{MNIST: m, Out: out, Workers: 1, Shard: Shard{Index: 0, Count: 2}})
		}
	})}
	res, err := Run(ctx, def, late)
	if err != nil || first != nil {
		t.Fatalf("shard 1/2: %v; shard 0/2: %v", err, first)
	}
	if !ran || len(res.Missing) != 0 {
		t.Fatalf("shard 0/2 ran: %v; missing after shard 1/2: %v", ran, res.Missing)
	}
	var seeds []uint64
	for _, d := range res.Dense {
		seeds = append(seeds, d.Seed)
	}
	if len(seeds) != 2 || seeds[0] != 1 || seeds[1] != 2 {
		t.Errorf("the last shard's result lists the dense nets of seeds %v, want [1 2]", seeds)
	}
}
