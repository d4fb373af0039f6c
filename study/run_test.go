package study

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"obd/model/nettest"
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
	m := nettest.MNIST(t)
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

// A definition whose recipes train in float32 runs end to end, the
// retraining with a plateau rule whose objective is evaluated (in float64)
// between float32 epochs: its dense net's weights are float32 values, its
// points are those of other nets than float64 training gives (precision
// enters the keys), and they are close to them: measured, the training
// objectives of the five points agree within 6.1e-5 relative and the test
// errors are equal; the test allows 1%, the bound of train's
// TestFloat32TrainsLikeFloat64 (where one seed drifted to 0.44%).
func TestFloat32Study(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small lenet1 twice")
	}
	m := nettest.MNIST(t)
	const src = `name: t
network: lenet1
data: {train: 400, test: 200, hessian_samples: 100, eval_train: 200}
training: {epochs: 3, batch_size: 32, lr: 0.01, momentum: 0.9, precision: PREC}
retraining: {epochs: 3, batch_size: 32, lr: 0.001, momentum: 0.9, patience: 1, monitor: train, precision: PREC}
methods: [obd]
schedule: iterative
grid: [0.3, 0.6]
seeds: [1]
`
	env := Env{MNIST: m, Out: t.TempDir(), Workers: 2}
	var res [2]*Result
	for i, prec := range []string{"float64", "float32"} {
		def, err := Parse("t.yaml", strings.NewReader(strings.ReplaceAll(src, "PREC", prec)))
		if err != nil {
			t.Fatal(err)
		}
		if res[i], err = Run(context.Background(), def, env); err != nil {
			t.Fatal(err)
		}
		if res[i].Failed() > 0 || len(res[i].Points) != 5 {
			t.Fatalf("%s: %d failed units, %d points", prec, res[i].Failed(), len(res[i].Points))
		}
		if prec == "float32" {
			dn, err := TrainDense(context.Background(), def, env, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !dn.Cached {
				t.Error("the float32 dense net was trained again, not read from the cache")
			}
			for k, v := range dn.Theta {
				if float64(float32(v)) != v {
					t.Fatalf("dense θ[%d] = %v is no float32", k, v)
				}
			}
		}
	}
	for i, p := range res[1].Points {
		q := res[0].Points[i]
		t.Logf("step %d retrained %v: train objective %.6f (float32) vs %.6f, test error %.3f vs %.3f",
			p.Step, p.Retrained, p.TrainMSE, q.TrainMSE, p.TestError, q.TestError)
		if p.TrainMSE == q.TrainMSE {
			t.Errorf("step %d: float32 and float64 give the same objective %v: the precision did not reach training", p.Step, p.TrainMSE)
		}
		if math.Abs(p.TrainMSE-q.TrainMSE) > 0.01*q.TrainMSE {
			t.Errorf("step %d: train objective %v in float32, %v in float64", p.Step, p.TrainMSE, q.TrainMSE)
		}
	}
}
