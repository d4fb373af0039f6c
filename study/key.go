package study

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"obd/model"
	"obd/prune"
	"obd/train"
)

// unitFormat versions a unit's record and what its key covers: raising it
// gives every unit a new key, so that nothing computed under the old rules
// is reused.
const unitFormat = 1

// unitKey is everything that determines the numbers of one (method,
// scope) unit apart from its seed, as OpenLTH names its runs: the network,
// the data, the dense recipe, the retraining recipe (none for oneshot),
// the schedule and the targets it resolves to, the method, the scope, the
// BLAS backend and unitFormat. The seed stays outside (a unit's file adds
// it), and so do the definition's name, description, figures, quick:
// section and its lists of other seeds, methods and scopes: adding a seed
// or a method to a definition computes only the new units, and editing a
// description recomputes nothing.
type unitKey struct {
	Format     int           `json:"format"`
	Network    string        `json:"network"`
	Data       Data          `json:"data"`
	Training   train.Recipe  `json:"training"`
	Retraining *train.Recipe `json:"retraining,omitempty"`
	Schedule   string        `json:"schedule"`
	Targets    []float64     `json:"targets"`
	Method     string        `json:"method"` // the label: parameters given enter it
	Scope      string        `json:"scope"`
	Backend    string        `json:"backend"`
	// Budgets are layer_budgets, for the scope that follows them
	// (prune.Budget); omitted otherwise, so that older keys stay.
	Budgets map[string]float64 `json:"budgets,omitempty"`
}

// unitKeyOf returns the key of the unit (method, scope) of d as run (at
// its scale) with the BLAS backend named backend: the first 16 hex digits
// of the SHA-256 of the key's JSON.
func unitKeyOf(d *Definition, net *model.Net, method, scope, backend string) string {
	k := unitKey{Format: unitFormat, Network: d.Network, Data: d.Data, Training: d.Training,
		Schedule: string(d.Schedule), Targets: d.Targets(net), Method: method, Scope: scope, Backend: backend}
	if k.Schedule != "oneshot" {
		r := d.Retraining
		k.Retraining = &r
	}
	if scope == string(prune.Budget) {
		k.Budgets = d.LayerBudgets
	}
	b, err := json.Marshal(k)
	if err != nil {
		panic(err) // numbers, strings and slices of them always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}
