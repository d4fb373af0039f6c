package study

import (
	"context"

	"obd/model"
	"obd/train"
)

// fit trains theta in place on trainData by the recipe r (train.SGD with
// the shuffling seed), holding the deleted parameters of mask at zero, and
// returns how many epochs it ran: r.Epochs, or fewer when r stops on a
// plateau (train.Plateau) of the objective on monitor (the images
// r.Monitor names; nil when r has no plateau rule). afterEpoch, if not nil,
// is called after each epoch.
func fit(ctx context.Context, e *model.Engine, theta []float64, mask []bool, trainData, monitor *model.Data,
	r train.Recipe, seed uint64, afterEpoch func()) (epochs int, err error) {
	plateau := train.NewPlateau(r)
	err = train.SGD(ctx, e, theta, mask, trainData, r, seed, func(ep train.Epoch) bool {
		epochs = ep.Epoch
		if afterEpoch != nil {
			afterEpoch()
		}
		if r.Patience == 0 {
			return false
		}
		return plateau.Stop(e.Sum(theta, monitor, nil, model.PassEval, nil).MeanLoss())
	})
	return epochs, err
}

// monitored returns the images a recipe's plateau rule watches:
// evalTrain for train.OnTrain, valid for train.OnValidation (Parse refuses
// it without data.validation), nil when the recipe has no plateau rule.
func monitored(r train.Recipe, evalTrain, valid *model.Data) *model.Data {
	switch r.Monitor {
	case train.OnTrain:
		return evalTrain
	case train.OnValidation:
		return valid
	}
	return nil
}
