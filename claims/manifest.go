package claims

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"obd/report"
	"obd/study"
)

var (
	nanValue = math.NaN()
	inf      = math.Inf(1)
)

// A Manifest is the part of a study's manifest.json that EXPERIMENTS.md
// quotes: the definition's protocol, the command and the recorded
// seconds of the dense nets and pruning units.
type Manifest struct {
	Definition struct {
		Name    string `json:"name"`
		Network string `json:"network"`
		Data    struct {
			HessianSamples int `json:"hessian_samples"`
			EvalTrain      int `json:"eval_train"`
		} `json:"data"`
		Training   Recipe `json:"training"`
		Retraining Recipe `json:"retraining"`
		// Methods are as the definition gives them: a name, or a
		// mapping of a name and parameters (prune.Spec).
		Methods  []json.RawMessage `json:"methods"`
		Scopes   []string          `json:"scopes"`
		Schedule string            `json:"schedule"`
		Grid     []float64         `json:"grid"`
		Seeds    []uint64          `json:"seeds"`
	} `json:"definition"`
	// PointsSHA256 is the SHA-256 (hex) of the points.csv written with
	// the manifest (study.Write).
	PointsSHA256 string `json:"points_sha256"`
	Command      string `json:"command"`
	BLASBackend  string `json:"blas_backend"`
	Workers      int    `json:"workers"`
	Dense        []Work `json:"dense"`
	Units        []Work `json:"units"`
}

// A Recipe is a training or retraining recipe as the manifest records it.
type Recipe struct {
	Epochs      int     `json:"epochs"`
	BatchSize   int     `json:"batch_size"`
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	LRSchedule  string  `json:"lr_schedule"`
	LRGamma     float64 `json:"lr_gamma"`
	// Precision is "float32" for a recipe trained in float32, empty for
	// float64 (train.Recipe.Precision; the manifest leaves float64 out).
	Precision string `json:"precision"`
	// Patience > 0 stops retraining on a plateau of the objective on the
	// Monitor's images, with Epochs as the cap (train.Recipe.Patience);
	// zero for a fixed number of epochs.
	Patience int    `json:"patience"`
	Monitor  string `json:"monitor"`
}

// Work is one dense net or pruning unit of a manifest.
type Work struct {
	Method  string  `json:"method"`
	Scope   string  `json:"scope"`
	Seed    uint64  `json:"seed"`
	Seconds float64 `json:"seconds"` // wall time as recorded, cache loads included
	Cached  bool    `json:"cached"`
	Error   string  `json:"error"` // why it failed; empty when it finished
}

// CheckPoints checks that a manifest (mfile) and the points of the same
// result directory (pfile) belong together: the manifest's definition is
// name, the points are those of its units (study.MatchUnits: each
// point of its network and of a unit it lists as finished, each unit it
// lists as finished with points), and pointsSum, the SHA-256 of pfile's
// bytes (study.PointsSum), is the one the manifest records
// (study.CheckPointsSum). A manifest copied from another result, a points
// file with a unit's rows dropped or a number edited, or a pair whose
// writing was cut short would otherwise be quoted as if they described
// one study.
func CheckPoints(mfile, pfile, name string, m Manifest, pointsSum string, pts []report.Point) error {
	if m.Definition.Name != name {
		return fmt.Errorf("%s: definition %q, want %q (the directory's)", mfile, m.Definition.Name, name)
	}
	units := make([]study.UnitResult, len(m.Units))
	for i, u := range m.Units {
		units[i] = study.UnitResult{Method: u.Method, Scope: u.Scope, Seed: u.Seed, Error: u.Error}
	}
	if err := study.MatchUnits(mfile, pfile, m.Definition.Network, "", units, pts); err != nil {
		return err
	}
	return study.CheckPointsSum(mfile, pfile, m.PointsSHA256, pointsSum)
}

// ParseManifest reads a manifest.json from r (file names it in errors).
func ParseManifest(file string, r io.Reader) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(r)
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("%s: %w", file, err)
	}
	if m.Definition.Name == "" {
		return m, fmt.Errorf("%s: no definition name", file)
	}
	return m, nil
}

// UnitSeconds is the sum of the recorded seconds of the pruning units.
func (m Manifest) UnitSeconds() float64 { return sum(m.Units) }

// DenseSeconds is the sum of the recorded seconds of the dense nets the
// manifest lists (a shard's manifest may list only some of them).
func (m Manifest) DenseSeconds() float64 { return sum(m.Dense) }

// Seconds is UnitSeconds plus DenseSeconds: the work the manifest records.
func (m Manifest) Seconds() float64 { return m.UnitSeconds() + m.DenseSeconds() }

// WorkSeconds is the work several manifests record together, each dense
// net counted once: definitions that share a dense net (the same network,
// training recipe and seed, read from the dense-net cache by all but the
// first) each list it with its training's seconds.
func WorkSeconds(ms ...*Manifest) float64 {
	type net struct {
		network  string
		training Recipe
		seed     uint64
	}
	seen := map[net]bool{}
	s := 0.0
	for _, m := range ms {
		s += m.UnitSeconds()
		for _, d := range m.Dense {
			if k := (net{m.Definition.Network, m.Definition.Training, d.Seed}); !seen[k] {
				seen[k] = true
				s += d.Seconds
			}
		}
	}
	return s
}

func sum(ws []Work) float64 {
	s := 0.0
	for _, w := range ws {
		s += w.Seconds
	}
	return s
}
