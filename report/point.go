// Package report turns the points of a pruning sweep into files people
// read: points.csv, summary.md and figures.
package report

// Point is one measurement of a sweep: one network, method, scope and
// seed, at one step of a schedule, before or after retraining.
type Point struct {
	Definition string
	Network    string
	Method     string // a method's label (prune.Spec.String): obd, magnitude, obs(damping=0.001), …
	Scope      string // global or per-layer
	Schedule   string // oneshot, iterative or oneshot-retrain
	Seed       uint64
	Step       int  // 0 is the dense trained network
	Retrained  bool // measured after retraining with the mask held

	ParamsTotal          int
	ParamsRemaining      int // realised, not the target
	FractionRemoved      float64
	ConnectionsTotal     int // multiply-accumulates per sample with a parameter
	ConnectionsRemaining int // those that can still reach the output (prune.Measure)

	// The objective is the mean per-pattern loss: squared error summed over
	// the outputs for lenet1, cross-entropy for the others. The column
	// names say "mse" after the paper's objective.
	TrainMSE, TestMSE     float64
	TrainError, TestError float64 // fractions
	// PredictedDelta is, for methods whose scores predict the objective
	// (prune.Method.Predicts: the OBD family, obs), the predicted increase
	// of the training objective: the sum of the saliencies deleted since
	// the saliencies were computed (NaN for other methods).
	PredictedDelta float64
	// LayersCutOff is the number of layers cut off from the output: none
	// of their units both depends on the input through alive connections
	// and reaches an output (prune.Remaining.LayersCutOff). Nonzero, the
	// net's output no longer depends on its input; ConnectionsRemaining
	// counts only connections that can still reach the output.
	// NotRecorded for points read from a file written before the column.
	LayersCutOff int
	// ValidMSE and ValidError are the objective and error rate on the
	// definition's validation images (data.validation), the numbers a
	// setting is chosen on; NaN when the definition holds out none (or the
	// file predates the columns), written as empty cells.
	ValidMSE, ValidError float64
	// RetrainEpochs is how many retraining epochs the point's net had
	// after its last deletion: 0 before retraining (and for the dense
	// net), the epochs run for a retrained point (fewer than the recipe's
	// cap when it stopped on a plateau). NotRecorded for points read from
	// a file written before the column.
	RetrainEpochs int
}

// NotRecorded marks a count that the points file it was read from does not
// hold (LayersCutOff of a file older than the column).
const NotRecorded = -1

// Columns are the header of points.csv, in order.
var Columns = []string{
	"definition", "network", "method", "scope", "schedule", "seed", "step", "retrained",
	"params_total", "params_remaining", "fraction_removed", "connections_total", "connections_remaining",
	"train_mse", "test_mse", "train_error", "test_error", "predicted_delta", "layers_cut_off",
	"valid_mse", "valid_error", "retrain_epochs",
}

// olderLayouts are the headers of points.csv files written before the
// columns appended since, each a prefix of Columns: before layers_cut_off,
// and before the validation and retraining-epoch columns. ReadCSV reads
// them and marks the missing columns not recorded.
var olderLayouts = [][]string{Columns[:18], Columns[:19]}
