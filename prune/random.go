package prune

import "math/rand/v2"

// Random scores parameters uniformly at random, from the state's seed and
// step: the same seed and step delete the same parameters.
type Random struct{}

func (Random) Name() string   { return "random" }
func (Random) Predicts() bool { return false }

func (Random) Scores(s *State) ([]float64, error) {
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed0000+uint64(s.Step)))
	sc := make([]float64, len(s.Theta))
	for k := range sc {
		sc[k] = rng.Float64()
	}
	return sc, nil
}
