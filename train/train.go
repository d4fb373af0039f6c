// Package train fits a network's parameters by minibatch SGD with
// momentum, holding deleted (masked) parameters at exactly zero.
package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"obd/model"
)

// Schedule gives the learning rate of each epoch.
type Schedule struct {
	// Kind is "constant", "exp" (LR·Gamma^epoch) or "step" (LR·Gamma^⌊epoch/Step⌋).
	Kind  string
	Gamma float64
	Step  int
}

// Rate is the learning rate of epoch e (0-based) for base rate lr.
func (s Schedule) Rate(lr float64, e int) float64 {
	switch s.Kind {
	case "exp":
		return lr * math.Pow(s.Gamma, float64(e))
	case "step":
		return lr * math.Pow(s.Gamma, float64(e/max(s.Step, 1)))
	}
	return lr
}

// Config is a training recipe.
type Config struct {
	Epochs      int
	BatchSize   int
	LR          float64
	Momentum    float64
	WeightDecay float64 // L2 coefficient λ: the update adds λ·θ to the gradient
	Schedule    Schedule
	Seed        uint64 // shuffling order
	// SDLM, when its Mu is above 0, scales the step of every parameter
	// as in stochastic diagonal Levenberg–Marquardt (LeCun et al. 1998,
	// the optimizer the paper's nets were trained with).
	SDLM SDLM
}

// SDLM sets parameter k's learning rate to LR/(Mu + h_k), with h the
// paper's Levenberg–Marquardt Hessian diagonal of the objective (the
// second-order backward pass OBD uses), averaged over Samples training
// patterns (the first Samples of the epoch's shuffled order) before every
// epoch.
type SDLM struct {
	Mu      float64
	Samples int
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("epochs %d < 0", c.Epochs)
	case c.BatchSize <= 0:
		return fmt.Errorf("batch size %d <= 0", c.BatchSize)
	case !(c.LR > 0):
		return fmt.Errorf("learning rate %v must be > 0", c.LR)
	case c.Momentum < 0 || c.Momentum >= 1:
		return fmt.Errorf("momentum %v outside [0, 1)", c.Momentum)
	case c.WeightDecay < 0:
		return fmt.Errorf("weight decay %v < 0", c.WeightDecay)
	}
	switch {
	case c.SDLM.Mu < 0 || math.IsNaN(c.SDLM.Mu):
		return fmt.Errorf("SDLM mu %v < 0", c.SDLM.Mu)
	case c.SDLM.Mu > 0 && c.SDLM.Samples <= 0:
		return fmt.Errorf("SDLM samples %d: want at least 1", c.SDLM.Samples)
	}
	switch c.Schedule.Kind {
	case "", "constant", "exp", "step":
	default:
		return fmt.Errorf("unknown schedule %q (constant, exp, step)", c.Schedule.Kind)
	}
	return nil
}

// Epoch reports one finished epoch.
type Epoch struct {
	Epoch     int // 1-based
	LR        float64
	TrainLoss float64 // mean objective over the epoch's minibatches, as trained
	TrainErr  float64
	Seconds   float64
}

// ErrDiverged is returned when the loss becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// SGD trains theta in place on d. mask[k] == false marks a deleted
// parameter: it is set to 0, gets no update, and its momentum is 0, so it
// stays exactly 0. A nil mask keeps every parameter. onEpoch, if not nil, is
// called after each epoch. Cancelling ctx stops training between
// minibatches and returns ctx's error.
func SGD(ctx context.Context, e *model.Engine, theta []float64, mask []bool, d *model.Data, c Config, onEpoch func(Epoch)) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if mask != nil && len(mask) != len(theta) {
		return fmt.Errorf("mask has %d entries for %d parameters", len(mask), len(theta))
	}
	applyMask(theta, mask)
	vel := make([]float64, len(theta))
	grad := make([]float64, len(theta))
	order := make([]int, d.N)
	var rate, h []float64 // SDLM's per-parameter rate factors
	for epoch := range c.Epochs {
		start := time.Now()
		rng := rand.New(rand.NewPCG(c.Seed, uint64(epoch)))
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr := c.Schedule.Rate(c.LR, epoch)
		if c.SDLM.Mu > 0 {
			if rate == nil {
				rate, h = make([]float64, len(theta)), make([]float64, len(theta))
			}
			sdlmRates(e, theta, d, order[:min(c.SDLM.Samples, d.N)], c.SDLM.Mu, h, rate)
		}
		var sum model.Stats
		for lo := 0; lo < d.N; lo += c.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch := order[lo:min(lo+c.BatchSize, d.N)]
			clear(grad)
			st := e.Sum(theta, d, batch, model.PassGrad, grad)
			if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
				return fmt.Errorf("%w: epoch %d, loss %v", ErrDiverged, epoch+1, st.Loss)
			}
			sum.Loss += st.Loss
			sum.Errors += st.Errors
			sum.N += st.N
			if rate == nil {
				step(theta, vel, grad, mask, 1/float64(len(batch)), lr, c.Momentum, c.WeightDecay)
			} else {
				stepScaled(theta, vel, grad, mask, rate, 1/float64(len(batch)), lr, c.Momentum, c.WeightDecay)
			}
		}
		if onEpoch != nil {
			onEpoch(Epoch{Epoch: epoch + 1, LR: lr, TrainLoss: sum.MeanLoss(), TrainErr: sum.ErrorRate(),
				Seconds: time.Since(start).Seconds()})
		}
	}
	return nil
}

// step is one momentum update: v ← μv − lr(g/B + λθ); θ ← θ + v, with
// deleted parameters and their velocity held at 0.
func step(theta, vel, grad []float64, mask []bool, scale, lr, mu, wd float64) {
	for k := range theta {
		if mask != nil && !mask[k] {
			theta[k], vel[k] = 0, 0
			continue
		}
		vel[k] = mu*vel[k] - lr*(grad[k]*scale+wd*theta[k])
		theta[k] += vel[k]
	}
}

func applyMask(theta []float64, mask []bool) {
	for k := range mask {
		if !mask[k] {
			theta[k] = 0
		}
	}
}

// sdlmRates sets rate[k] = 1/(mu + h_k), h the mean LM Hessian diagonal
// over the samples idx.
func sdlmRates(e *model.Engine, theta []float64, d *model.Data, idx []int, mu float64, h, rate []float64) {
	idx = slices.Clone(idx)
	slices.Sort(idx) // the samples, not the order they were drawn in
	clear(h)
	n := e.Sum(theta, d, idx, model.PassLM, h).N
	for k := range rate {
		rate[k] = 1 / (mu + h[k]/float64(n))
	}
}

// stepScaled is step with a learning rate per parameter: lr·rate[k].
func stepScaled(theta, vel, grad []float64, mask []bool, rate []float64, scale, lr, mu, wd float64) {
	for k := range theta {
		if mask != nil && !mask[k] {
			theta[k], vel[k] = 0, 0
			continue
		}
		vel[k] = mu*vel[k] - lr*rate[k]*(grad[k]*scale+wd*theta[k])
		theta[k] += vel[k]
	}
}
