package main

import "obd/train"

// recipes are the dense training recipes of the three networks: minibatch
// SGD with momentum and a per-epoch exponential learning-rate decay.
var recipes = map[string]train.Config{
	// The zip-code net on the paper's squared error with ±1 targets.
	"lenet1": {Epochs: 40, BatchSize: 32, LR: 0.01, Momentum: 0.9,
		Schedule: train.Schedule{Kind: "exp", Gamma: 0.95}},
	// Han et al.'s MLP, softmax cross-entropy.
	"lenet300": {Epochs: 30, BatchSize: 64, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4,
		Schedule: train.Schedule{Kind: "exp", Gamma: 0.9}},
	// Caffe's LeNet recipe (lr 0.01, momentum 0.9, weight decay 5e-4, batch 64).
	"lenet5": {Epochs: 15, BatchSize: 64, LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: train.Schedule{Kind: "exp", Gamma: 0.85}},
}
