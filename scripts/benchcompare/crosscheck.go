package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"obd/model"
	"obd/model/nettest"
)

// CrossCheck is one network's reference computation for
// `bench_pytorch.py --crosscheck`: the summed objective Σ E and its gradient
// at theta over N samples, so that the PyTorch networks can be checked
// against the harness's on the same parameters and inputs.
type CrossCheck struct {
	Net    string    `json:"net"`
	Theta  []float64 `json:"theta"`  // the harness's parameter vector (net.Init(1))
	X      []float64 `json:"x"`      // N × 784 inputs, preprocessed
	Labels []int     `json:"labels"` // N labels
	Loss   float64   `json:"loss"`   // Σ_s E_s
	Grad   []float64 `json:"grad"`   // ∂(Σ_s E_s)/∂θ
}

// crossCheckSamples is the samples per network in a cross-check file.
const crossCheckSamples = 8

// CrossChecks computes the reference of every network on
// crossCheckSamples random images (nettest.Random).
func CrossChecks() []CrossCheck {
	var out []CrossCheck
	for _, name := range Nets {
		net, err := model.ByName(name)
		if err != nil {
			panic(err)
		}
		theta := net.Init(1)
		d := nettest.Random(net, crossCheckSamples, 1)
		g := make([]float64, len(theta))
		st := model.NewEngine(net, 1).Sum(theta, d, nil, model.PassGrad, g)
		labels := make([]int, d.N)
		for i, l := range d.Labels[:d.N] {
			labels[i] = int(l)
		}
		out = append(out, CrossCheck{Net: name, Theta: theta, X: d.X[:d.N*net.Input.Size()], Labels: labels, Loss: st.Loss, Grad: g})
	}
	return out
}

func writeCrossChecks(w io.Writer) error {
	return json.NewEncoder(w).Encode(CrossChecks())
}

func writeCrossCheckFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeCrossChecks(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
