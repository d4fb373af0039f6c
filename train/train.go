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

// SGD trains theta in place on d by the recipe r: minibatch SGD with
// momentum (or SDLM, see Recipe.SDLMMu), shuffling every epoch with a PCG
// seeded by (seed, epoch). mask[k] == false marks a deleted parameter: it
// is set to 0, gets no update, and its momentum is 0, so it stays exactly
// 0. A nil mask keeps every parameter. onEpoch, if not nil, is called after
// each epoch; when it returns true, training stops there (a plateau rule:
// see Plateau). An invalid recipe is an error (a *FieldError); cancelling ctx
// stops training between minibatches and returns ctx's error.
//
// With r.Precision float32, SGD rounds theta to float32 at the start and
// runs the epochs (forward pass, gradient, update, velocity) in float32 on
// a float32 engine with e's network and worker count (model.Engine32); it
// writes the float32 weights back into theta, exactly (every float32 is a
// float64), before each onEpoch call, so that whatever onEpoch evaluates
// on theta with e runs in float64 on the weights as trained, and when it
// returns, whatever the outcome. The losses it reports are computed and
// summed in float64 either way (model.Loss.Eval32).
func SGD(ctx context.Context, e *model.Engine, theta []float64, mask []bool, d *model.Data, r Recipe, seed uint64, onEpoch func(Epoch) (stop bool)) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("recipe: %w", err)
	}
	if mask != nil && len(mask) != len(theta) {
		return fmt.Errorf("mask has %d entries for %d parameters", len(mask), len(theta))
	}
	applyMask(theta, mask)
	if p, _ := ParsePrecision(string(r.Precision)); p == Float32 {
		theta32 := make([]float32, len(theta))
		for k, v := range theta {
			theta32[k] = float32(v)
		}
		writeBack := func() {
			for k, v := range theta32 {
				theta[k] = float64(v)
			}
		}
		defer writeBack()
		return sgd(ctx, model.NewEngineOf[float32](e.Net, e.Workers), theta32, mask, d, r, seed, writeBack, onEpoch)
	}
	return sgd(ctx, e, theta, mask, d, r, seed, nil, onEpoch)
}

// sgd is SGD's loop in element type T, on theta already masked. sync, if
// not nil, is called before each onEpoch call.
func sgd[T model.Float](ctx context.Context, e *model.EngineOf[T], theta []T, mask []bool, d *model.Data, r Recipe, seed uint64,
	sync func(), onEpoch func(Epoch) (stop bool)) error {
	vel := make([]T, len(theta))
	grad := make([]T, len(theta))
	order := make([]int, d.N)
	var rate, h []T // SDLM's per-parameter rate factors (float64 only: Validate)
	for epoch := range r.Epochs {
		start := time.Now()
		rng := rand.New(rand.NewPCG(seed, uint64(epoch)))
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr := r.Rate(epoch)
		if r.SDLMMu > 0 {
			if rate == nil {
				rate, h = make([]T, len(theta)), make([]T, len(theta))
			}
			sdlmRates(e, theta, d, order[:min(r.SDLMSamples, d.N)], T(r.SDLMMu), h, rate)
		}
		var sum model.Stats
		for lo := 0; lo < d.N; lo += r.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch := order[lo:min(lo+r.BatchSize, d.N)]
			clear(grad)
			st := e.Sum(theta, d, batch, model.PassGrad, grad)
			if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
				return fmt.Errorf("%w: epoch %d, loss %v", ErrDiverged, epoch+1, st.Loss)
			}
			sum.Loss += st.Loss
			sum.Errors += st.Errors
			sum.N += st.N
			scale := 1 / T(len(batch))
			if rate == nil {
				step(theta, vel, grad, mask, scale, T(lr), T(r.Momentum), T(r.WeightDecay))
			} else {
				stepScaled(theta, vel, grad, mask, rate, scale, T(lr), T(r.Momentum), T(r.WeightDecay))
			}
		}
		if onEpoch == nil {
			continue
		}
		if sync != nil {
			sync()
		}
		if onEpoch(Epoch{Epoch: epoch + 1, LR: lr, TrainLoss: sum.MeanLoss(), TrainErr: sum.ErrorRate(),
			Seconds: time.Since(start).Seconds()}) {
			return nil
		}
	}
	return nil
}

// step is one momentum update: v ← μv − lr(g/B + λθ); θ ← θ + v, with
// deleted parameters and their velocity held at 0.
func step[T model.Float](theta, vel, grad []T, mask []bool, scale, lr, mu, wd T) {
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
func sdlmRates[T model.Float](e *model.EngineOf[T], theta []T, d *model.Data, idx []int, mu T, h, rate []T) {
	idx = slices.Clone(idx)
	slices.Sort(idx) // the samples, not the order they were drawn in
	clear(h)
	n := e.Sum(theta, d, idx, model.PassLM, h).N
	for k := range rate {
		rate[k] = 1 / (mu + h[k]/T(n))
	}
}

// stepScaled is step with a learning rate per parameter: lr·rate[k].
func stepScaled[T model.Float](theta, vel, grad []T, mask []bool, rate []T, scale, lr, mu, wd T) {
	for k := range theta {
		if mask != nil && !mask[k] {
			theta[k], vel[k] = 0, 0
			continue
		}
		vel[k] = mu*vel[k] - lr*rate[k]*(grad[k]*scale+wd*theta[k])
		theta[k] += vel[k]
	}
}
