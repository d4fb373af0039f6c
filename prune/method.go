package prune

import (
	"fmt"
	"sort"

	"obd/curvature"
	"obd/model"
)

// State is what a method may look at: the network, its parameters and
// mask, the training data and the samples to average curvature over.
// Methods must not modify any of it.
type State struct {
	Engine *model.Engine
	Theta  []float64
	Mask   []bool // nil: nothing deleted yet
	Train  *model.Data
	// HessianIdx are the training samples curvature is averaged over
	// (nil: all of Train).
	HessianIdx []int
	// Seed and Step make random choices reproducible.
	Seed uint64
	Step int
}

// Method scores free parameters for deletion.
type Method interface {
	// Name is the method's name in definitions and outputs.
	Name() string
	// Scores returns one score per parameter; the alive parameters with
	// the lowest scores are deleted first. Scores of deleted parameters
	// are ignored.
	Scores(s *State) ([]float64, error)
	// Predicts is true when a score is a predicted increase of the
	// training objective (OBD's saliency), so that the sum of deleted
	// scores predicts the objective after deletion.
	Predicts() bool
}

// Methods lists the names New accepts.
func Methods() []string {
	names := []string{"magnitude", "random"}
	for _, e := range curvature.Estimators {
		names = append(names, OBD{Estimator: e}.Name())
	}
	sort.Strings(names)
	return names
}

// New returns the method of that name: "obd" (the paper's LM diagonal),
// "obd-<estimator>" for the other curvature estimators, "magnitude" or
// "random".
func New(name string) (Method, error) {
	switch name {
	case "magnitude":
		return Magnitude{}, nil
	case "random":
		return Random{}, nil
	}
	for _, e := range curvature.Estimators {
		if m := (OBD{Estimator: e}); m.Name() == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("unknown method %q (known: %v)", name, Methods())
}
