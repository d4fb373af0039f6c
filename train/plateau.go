package train

import (
	"fmt"
	"math"
)

// Monitor names the images whose objective a plateau is watched on.
type Monitor string

// The monitors a recipe may name.
const (
	// OnTrain watches the objective on the training images the points
	// measure (a definition's data.eval_train).
	OnTrain Monitor = "train"
	// OnValidation watches the objective on the held-out validation images
	// (a definition's data.validation).
	OnValidation Monitor = "validation"
)

// Plateau says when an objective, observed once per epoch, has stopped
// improving: an epoch improves when its objective is below (1−MinDelta)
// times the best so far (the first epoch always does), and training stops
// after Patience epochs in a row that do not. The weights are those of the
// last epoch run, not of the best one. The zero Plateau never stops.
type Plateau struct {
	Patience int     // epochs without improvement before stopping; 0: never stop
	MinDelta float64 // relative improvement that counts, in [0, 1)

	best  float64
	stale int
	seen  bool
}

// NewPlateau returns the plateau rule of r (never stopping when
// r.Patience is 0).
func NewPlateau(r Recipe) *Plateau {
	return &Plateau{Patience: r.Patience, MinDelta: r.MinDelta}
}

// Stop records an epoch's objective v and says whether training should
// stop after it. A NaN objective is no improvement.
func (p *Plateau) Stop(v float64) bool {
	if p.Patience == 0 {
		return false
	}
	if !math.IsNaN(v) && (!p.seen || v < p.best*(1-p.MinDelta)) {
		p.best, p.seen, p.stale = v, true, 0
		return false
	}
	p.stale++
	return p.stale >= p.Patience
}

// validatePlateau checks the plateau settings of r.
func (r Recipe) validatePlateau() error {
	switch {
	case r.Patience < 0:
		return fieldErr("patience", "%d: want a number of epochs ≥ 1, or 0 (train every epoch)", r.Patience)
	case !(r.MinDelta >= 0 && r.MinDelta < 1):
		return fieldErr("min_delta", "%v outside [0, 1)", r.MinDelta)
	case r.Patience == 0 && r.MinDelta > 0:
		return fieldErr("min_delta", "%v without patience: min_delta is the improvement a plateau rule counts", r.MinDelta)
	case r.Patience == 0 && r.Monitor != "":
		return fieldErr("monitor", "%q without patience: monitor names what a plateau rule watches", r.Monitor)
	case r.Patience > 0 && r.Monitor != OnTrain && r.Monitor != OnValidation:
		return fieldErr("monitor", "%s: want %s or %s (the objective the plateau rule watches)",
			quoteOrMissing(string(r.Monitor)), OnTrain, OnValidation)
	}
	return nil
}

func quoteOrMissing(s string) string {
	if s == "" {
		return "missing"
	}
	return fmt.Sprintf("%q", s)
}
