package prune

import (
	"fmt"
	"slices"

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
	// Name is the method's registered name (Methods), without its
	// parameters; Spec.String labels a method with them.
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

// Updater is the optional capability of a Method that deletes parameters
// itself and corrects the surviving ones after each deletion, as Optimal
// Brain Surgeon does. A caller asserts it where it deletes (m.(Updater)),
// the way gonum's optimize asserts a Method's optional Statuser; a Method
// without it is applied by Scores, Select and zeroing the deleted
// parameters.
type Updater interface {
	Method
	// Surgeon starts a chain of deletions from the parameters and mask of
	// s. It copies what it keeps: s is not modified, and the Surgeon does
	// not depend on it afterwards (apart from s.Engine and s.Train, which
	// it keeps reading).
	Surgeon(s *State) (Surgeon, error)
}

// Surgeon deletes parameters one at a time (or in small blocks), each
// deletion correcting the surviving parameters, along one chain of
// deletions started by Updater.Surgeon.
type Surgeon interface {
	// DeleteTo continues the chain until n of all the free parameters are
	// deleted (deleted ones the chain started with included); n at or
	// below the count already deleted deletes nothing. It returns the
	// chain's parameters and mask after it (new slices, the caller's to
	// keep and modify) and the predicted increase of this call's
	// deletions: the sum of their saliencies, the saliency of each taken
	// when it was deleted. For a method that Predicts, it is an increase
	// of the training objective; otherwise it is what the method
	// documents (obs-layerwise: of the layers' reconstruction errors),
	// and callers must not report it as a prediction of the objective. n
	// counts over the whole net, whatever the chain's scope.
	DeleteTo(n int) (theta []float64, mask []bool, predicted float64, err error)
}

// ScopedUpdater is the optional capability of an Updater whose chains may
// delete in scopes other than Global (an Updater without it deletes
// globally only). A caller asserts it where it starts a chain.
type ScopedUpdater interface {
	Updater
	// Scopes lists the scopes SurgeonIn accepts.
	Scopes() []Scope
	// SurgeonIn is Surgeon for a chain that spreads its deletions as
	// scope says; an unknown scope is an error.
	SurgeonIn(s *State, scope Scope) (Surgeon, error)
}

// UpdaterScopes returns the scopes an Updater's chains may delete in:
// its Scopes for a ScopedUpdater, Global otherwise.
func UpdaterScopes(u Updater) []Scope {
	if s, ok := u.(ScopedUpdater); ok {
		return s.Scopes()
	}
	return []Scope{Global}
}

// registered is one method of the registry: its name, what it is, the
// parameters a definition may give it, and how to make it.
type registered struct {
	name   string
	doc    string
	params []string // the parameters New accepts, in order
	make   func(p Params) (Method, error)
}

func noParams(m Method) func(Params) (Method, error) {
	return func(Params) (Method, error) { return m, nil }
}

// registry lists every method, one line each. Every estimator of
// curvature.Estimators has its obd line (TestRegistry checks).
var registry = []registered{
	{"magnitude", "the smallest |u_k| first", nil, noParams(Magnitude{})},
	{"random", "uniformly at random, from the seed and step", nil, noParams(Random{})},
	{"obd", "OBD saliency, the paper's LM Hessian diagonal", nil, noParams(OBD{Estimator: curvature.LM})},
	{"obd-full", "OBD saliency, the recursion keeping its f'' terms", nil, noParams(OBD{Estimator: curvature.Full})},
	{"obd-gauss-newton", "OBD saliency, the exact Gauss–Newton diagonal", nil, noParams(OBD{Estimator: curvature.GaussNewton})},
	{"obd-hessian", "OBD saliency, the exact Hessian diagonal", nil, noParams(OBD{Estimator: curvature.Hessian})},
	{"obd-fisher", "OBD saliency, the empirical Fisher diagonal", nil, noParams(OBD{Estimator: curvature.Fisher})},
	{"obs", "Optimal Brain Surgeon: full Hessian, deletions with corrections", obsParams, newOBS},
	{"obs-layerwise", "layer-wise OBS: each layer's reconstruction error, row by row, with corrections", obsLayerwiseParams, newOBSLayerwise},
}

// Methods lists the registered method names, sorted.
func Methods() []string {
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.name
	}
	slices.Sort(names)
	return names
}

// New returns the method of that name with its default parameters: "obd"
// (the paper's LM diagonal), "obd-<estimator>" for the other curvature
// estimators, "magnitude", "random", "obs" or "obs-layerwise".
func New(name string) (Method, error) { return NewSpec(Spec{Name: name}) }

// NewSpec returns the method a definition names, with its parameters. An
// unknown name is an error listing the known ones; a parameter the method
// does not take, or a value it refuses, is a *ParamError naming the
// parameter.
func NewSpec(s Spec) (Method, error) {
	for _, r := range registry {
		if r.name != s.Name {
			continue
		}
		for _, k := range s.Params.keys() {
			if !slices.Contains(r.params, k) {
				known := "none"
				if len(r.params) > 0 {
					known = fmt.Sprint(r.params)
				}
				return nil, &ParamError{Param: k, Err: fmt.Errorf("method %s has no parameter %q (known: %s)", s.Name, k, known)}
			}
		}
		return r.make(s.Params)
	}
	return nil, fmt.Errorf("unknown method %q (known: %v)", s.Name, Methods())
}
