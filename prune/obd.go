package prune

import "obd/curvature"

// OBD scores each parameter by its saliency s_k = h_kk·u_k²/2, with the
// Hessian diagonal from Estimator (the paper's LM recursion by default),
// averaged over the state's Hessian samples.
type OBD struct {
	Estimator curvature.Estimator
}

// Name is "obd" for the paper's LM diagonal, "obd-<estimator>" otherwise.
func (m OBD) Name() string {
	if m.Estimator == "" || m.Estimator == curvature.LM {
		return "obd"
	}
	return "obd-" + string(m.Estimator)
}

func (m OBD) Predicts() bool { return true }

func (m OBD) Scores(s *State) ([]float64, error) {
	est := m.Estimator
	if est == "" {
		est = curvature.LM
	}
	h, err := curvature.Diagonal(s.Engine, s.Theta, s.Train, s.HessianIdx, est)
	if err != nil {
		return nil, err
	}
	return curvature.Saliency(h, s.Theta, s.Mask), nil
}
