package train

import (
	"fmt"
	"math"
)

// LRSchedule names how the learning rate changes from epoch to epoch.
// ParseLRSchedule is the one place that decides which names exist.
type LRSchedule string

// The learning-rate schedules. The empty name is Constant, so that a
// definition that leaves lr_schedule out keeps its hash.
const (
	Constant LRSchedule = "constant" // LR every epoch
	Exp      LRSchedule = "exp"      // LR·Gamma^epoch
	StepLR   LRSchedule = "step"     // LR·Gamma^⌊epoch/Step⌋
)

// ParseLRSchedule checks a schedule name: "" and "constant" are Constant,
// "exp" and "step" the decaying schedules; anything else is an error, never
// silently constant.
func ParseLRSchedule(s string) (LRSchedule, error) {
	switch k := LRSchedule(s); k {
	case "", Constant:
		return Constant, nil
	case Exp, StepLR:
		return k, nil
	}
	return "", fmt.Errorf("%q: want %s, %s or %s", s, Constant, Exp, StepLR)
}

// Precision names the element type SGD trains in. ParsePrecision is the
// one place that decides which names exist.
type Precision string

// The training precisions. The empty name is Float64.
const (
	Float64 Precision = "float64" // every pass in float64, the default
	// Float32 runs SGD's forward pass, gradient and update in float32
	// (model.Engine32); the weights it returns, and every evaluation,
	// saliency and Hessian diagonal computed from them, are float64.
	Float32 Precision = "float32"
)

// ParsePrecision checks a precision name: "" and "float64" are Float64,
// "float32" is Float32; anything else is an error, never silently float64.
func ParsePrecision(s string) (Precision, error) {
	switch p := Precision(s); p {
	case "", Float64:
		return Float64, nil
	case Float32:
		return Float32, nil
	}
	return "", fmt.Errorf("%q: want %s or %s", s, Float64, Float32)
}

// IsZero says whether p is the default precision, float64, whether named
// or left empty: a recipe's JSON (omitzero) then leaves it out, so that a
// definition that leaves precision out or names float64 keeps the hash it
// had before precision existed.
func (p Precision) IsZero() bool { return p == "" || p == Float64 }

// Recipe is a training recipe: as a definition's training: and
// retraining: sections write it (YAML), as it enters a definition's hash
// (JSON, field order and names fixed), and as SGD runs it. It is validated
// in one place, Validate.
type Recipe struct {
	Epochs    int     `yaml:"epochs" json:"epochs"`
	BatchSize int     `yaml:"batch_size" json:"batch_size"`
	LR        float64 `yaml:"lr" json:"lr"` // base learning rate η
	Momentum  float64 `yaml:"momentum" json:"momentum"`
	// WeightDecay is the L2 coefficient λ: the update adds λ·θ to the
	// mean gradient.
	WeightDecay float64    `yaml:"weight_decay" json:"weight_decay"`
	LRSchedule  LRSchedule `yaml:"lr_schedule" json:"lr_schedule"`
	LRGamma     float64    `yaml:"lr_gamma" json:"lr_gamma"` // decay factor of exp and step
	LRStep      int        `yaml:"lr_step" json:"lr_step"`   // epochs per decay of step
	// SDLMMu > 0 trains with stochastic diagonal Levenberg–Marquardt
	// (LeCun et al. 1998, the optimizer the paper's nets were trained
	// with): parameter k's rate is LR/(SDLMMu + h_k), with h the paper's
	// Levenberg–Marquardt Hessian diagonal of the objective (the
	// second-order backward pass OBD uses), averaged over SDLMSamples
	// training patterns (the first SDLMSamples of the epoch's shuffled
	// order) before every epoch. Le Cun et al. updated after every pattern
	// (BatchSize 1): with a larger batch the step uses the batch's mean
	// gradient, so an update is about as large as a per-pattern one at the
	// same LR (and meets the same stability limit) while an epoch makes
	// BatchSize times fewer of them. g and h are those of this harness's
	// objective, E = Σ_i (d_i − x_i)² without ½ (eq. 8): on an objective
	// with ½ both halve, and the same steps need SDLMMu halved. Both are
	// omitted from the hash when 0, so older definitions keep their hashes.
	SDLMMu      float64 `yaml:"sdlm_mu" json:"sdlm_mu,omitempty"`
	SDLMSamples int     `yaml:"sdlm_samples" json:"sdlm_samples,omitempty"`
	// Patience > 0 stops training on a plateau of the objective on
	// Monitor's images (Plateau: Patience epochs in a row without a
	// relative improvement of MinDelta), with Epochs as the cap. All three
	// are omitted from the hash when unset, so older definitions keep
	// their hashes.
	Patience int     `yaml:"patience" json:"patience,omitempty"`
	MinDelta float64 `yaml:"min_delta" json:"min_delta,omitempty"`
	Monitor  Monitor `yaml:"monitor" json:"monitor,omitempty"`
	// Precision is the element type SGD trains in: float64 (the default,
	// also when empty) or float32 (see SGD). float32 with SDLMMu > 0 is
	// refused: SDLM's rates come from the second-order pass, which runs
	// in float64 only. Omitted from the hash when float64 (IsZero), so
	// older definitions keep their hashes.
	Precision Precision `yaml:"precision" json:"precision,omitzero"`
}

// FieldError is a setting of a Recipe that cannot work. Field is the
// setting's name as a definition writes it (for example "lr_gamma").
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate reports the first setting that cannot work, as a *FieldError.
func (r Recipe) Validate() error {
	switch {
	case r.Epochs <= 0:
		return fieldErr("epochs", "%d: want at least 1", r.Epochs)
	case r.BatchSize <= 0:
		return fieldErr("batch_size", "%d: want at least 1", r.BatchSize)
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fieldErr("lr", "%v: want a positive number", r.LR)
	case !(r.Momentum >= 0 && r.Momentum < 1):
		return fieldErr("momentum", "%v outside [0, 1)", r.Momentum)
	case !(r.WeightDecay >= 0) || math.IsInf(r.WeightDecay, 0):
		return fieldErr("weight_decay", "%v: want a number ≥ 0", r.WeightDecay)
	case !(r.SDLMMu >= 0) || math.IsInf(r.SDLMMu, 0):
		return fieldErr("sdlm_mu", "%v: want a number ≥ 0", r.SDLMMu)
	case r.SDLMSamples < 0 || r.SDLMSamples > 0 && r.SDLMMu == 0:
		return fieldErr("sdlm_samples", "%d: want a number of samples ≥ 1, with sdlm_mu > 0", r.SDLMSamples)
	case r.SDLMMu > 0 && r.SDLMSamples == 0:
		return fieldErr("sdlm_samples", "missing: sdlm_mu needs the number of samples h is averaged over")
	}
	if err := r.validatePlateau(); err != nil {
		return err
	}
	prec, err := ParsePrecision(string(r.Precision))
	if err != nil {
		return fieldErr("precision", "%v", err)
	}
	if prec == Float32 && r.SDLMMu > 0 {
		return fieldErr("precision", "float32 with sdlm_mu > 0: SDLM's rates come from the second-order pass, which runs in float64 only; train in float64 or leave sdlm_mu out")
	}
	kind, err := ParseLRSchedule(string(r.LRSchedule))
	if err != nil {
		return fieldErr("lr_schedule", "%v", err)
	}
	// A decay setting the schedule ignores would be trained without.
	if kind == Constant && r.LRGamma != 0 {
		return fieldErr("lr_gamma", "%v given, but lr_schedule %s never decays: give lr_schedule exp or step, or leave lr_gamma out", r.LRGamma, Constant)
	}
	if kind != StepLR && r.LRStep != 0 {
		return fieldErr("lr_step", "%d given, but only lr_schedule %s decays in steps (lr_schedule is %s)", r.LRStep, StepLR, kind)
	}
	if kind == Exp || kind == StepLR {
		if !(r.LRGamma > 0 && r.LRGamma <= 1) {
			return fieldErr("lr_gamma", "%v outside (0, 1]", r.LRGamma)
		}
		if kind == StepLR && r.LRStep <= 0 {
			return fieldErr("lr_step", "%d: want at least 1 epoch", r.LRStep)
		}
	}
	return nil
}

// Rate is the learning rate of epoch e (0-based). It panics on a schedule
// that Validate refuses.
func (r Recipe) Rate(e int) float64 {
	kind, err := ParseLRSchedule(string(r.LRSchedule))
	if err != nil {
		panic("train: learning-rate schedule " + err.Error())
	}
	switch kind {
	case Exp:
		return r.LR * math.Pow(r.LRGamma, float64(e))
	case StepLR:
		return r.LR * math.Pow(r.LRGamma, float64(e/r.LRStep))
	}
	return r.LR
}
