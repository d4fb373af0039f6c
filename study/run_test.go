package study

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"obd/datasets"
)

// The points a run computes are those its unit records give back when it
// is run again (or merged): the same floats, not only the same digits in
// points.csv. Summaries and figures rendered from either are then the same
// bytes; they used to be rendered from full-precision points on the run
// that computed them and from ten-digit ones on a rerun, and a figure's
// tick could move.
func TestComputedPointsAreTheRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small lenet1")
	}
	dir, err := datasets.ResolveDir("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := datasets.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	def, err := Parse("t.yaml", strings.NewReader(`name: t
network: lenet1
data: {train: 400, test: 200, hessian_samples: 100}
training: {epochs: 3, batch_size: 32, lr: 0.01, momentum: 0.9}
retraining: {epochs: 1, batch_size: 32, lr: 0.001, momentum: 0.9}
methods: [obd, magnitude]
schedule: iterative
grid: [0.3, 0.6]
seeds: [1]
`))
	if err != nil {
		t.Fatal(err)
	}
	env := Env{MNIST: m, Out: t.TempDir(), Workers: 2}
	computed, err := Run(context.Background(), def, env)
	if err != nil {
		t.Fatal(err)
	}
	read, err := Run(context.Background(), def, env)
	if err != nil {
		t.Fatal(err)
	}
	if computed.Failed() > 0 || len(computed.Points) != 10 {
		t.Fatalf("%d failed units, %d points", computed.Failed(), len(computed.Points))
	}
	for i := range computed.Points {
		// %v prints the shortest decimal that gives the float back, so
		// two floats print alike only when they are equal.
		if a, b := fmt.Sprintf("%v", computed.Points[i]), fmt.Sprintf("%v", read.Points[i]); a != b {
			t.Fatalf("point %d computed as\n%s\nand read back as\n%s", i, a, b)
		}
	}
}
