package prune

import "math"

// Magnitude scores each parameter by |u_k|: the smallest weights go first.
type Magnitude struct{}

func (Magnitude) Name() string   { return "magnitude" }
func (Magnitude) Predicts() bool { return false }

func (Magnitude) Scores(s *State) ([]float64, error) {
	sc := make([]float64, len(s.Theta))
	for k, u := range s.Theta {
		sc[k] = math.Abs(u)
	}
	return sc, nil
}
