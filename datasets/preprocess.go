package datasets

import (
	"fmt"
	"strings"
)

// Scaling selects how [Set.Inputs] maps grey levels (0–255) to inputs.
type Scaling int

const (
	// SymmetricPM1: x = pixel/127.5 − 1, grey levels scaled to [−1, 1]
	// (background −1, full ink +1). Used for the zip-code net lenet1.
	SymmetricPM1 Scaling = iota + 1
	// UnitInterval: x = pixel/255, grey levels scaled to [0, 1]
	// (background 0, full ink 1). Used for lenet300 and lenet5.
	UnitInterval
)

var scalingNames = map[Scaling]string{SymmetricPM1: "pm1", UnitInterval: "unit"}

// String returns "pm1" or "unit", the names [ParseScaling] accepts.
func (p Scaling) String() string {
	if s, ok := scalingNames[p]; ok {
		return s
	}
	return fmt.Sprintf("Scaling(%d)", int(p))
}

// ParseScaling parses "pm1" ([SymmetricPM1]) or "unit" ([UnitInterval]).
func ParseScaling(s string) (Scaling, error) {
	for p, name := range scalingNames {
		if strings.EqualFold(s, name) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("mnist: unknown scaling %q (want %q or %q)", s, SymmetricPM1, UnitInterval)
}

// Inputs returns the N*Pixels network inputs, example after example, each
// row-major, with grey levels mapped by p: [SymmetricPM1] gives
// pixel/127.5 − 1 in [−1, 1]; [UnitInterval] gives pixel/255 in [0, 1].
// It panics on an unknown Scaling.
func (s *Set) Inputs(p Scaling) []float64 {
	var lut [256]float64
	for v := range lut {
		switch p {
		case SymmetricPM1:
			lut[v] = float64(v)/127.5 - 1
		case UnitInterval:
			lut[v] = float64(v) / 255
		default:
			panic(fmt.Sprintf("datasets: Inputs: unknown scaling %v", p))
		}
	}
	x := make([]float64, len(s.Images))
	for i, v := range s.Images {
		x[i] = lut[v]
	}
	return x
}

// TargetsPM1 returns the N*Classes regression targets of the paper's
// mean-squared-error training: +1 at the label's position and −1 at the
// other nine. It panics if a label is not 0–9.
func (s *Set) TargetsPM1() []float64 {
	t := make([]float64, len(s.Labels)*Classes)
	for i := range t {
		t[i] = -1
	}
	for i, l := range s.Labels {
		if l >= Classes {
			panic(fmt.Sprintf("datasets: TargetsPM1: label %d at index %d", l, i))
		}
		t[i*Classes+int(l)] = 1
	}
	return t
}
