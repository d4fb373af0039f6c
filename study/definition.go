package study

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"obd/datasets"
	"obd/model"
	"obd/prune"
	"obd/train"
)

// Definition is one declarative experiment: a network, its data and
// training recipe, the pruning methods and scopes to compare, a schedule,
// a deletion grid, retraining, and seeds. It is read from YAML; see
// experiments/definitions/ for the shipped ones.
type Definition struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
	Network     string `yaml:"network" json:"network"`
	Data        Data   `yaml:"data" json:"data"`
	// Training is the dense recipe; Retraining is used after deletions
	// (iterative and oneshot-retrain schedules).
	Training   Recipe   `yaml:"training" json:"training"`
	Retraining Recipe   `yaml:"retraining" json:"retraining"`
	Methods    []string `yaml:"methods" json:"methods"`
	Scopes     []string `yaml:"scopes" json:"scopes"`
	// Schedule is oneshot (delete from the trained net without
	// retraining, saliencies computed once), iterative (delete to each
	// grid target from the previous step's retrained net, retrain,
	// recompute), or oneshot-retrain (delete from the trained net to each
	// target, then retrain).
	Schedule Schedule `yaml:"schedule" json:"schedule"`
	// Grid lists the deleted fractions to reach, ascending, in [0, 1).
	// Alternatively Steps generates it.
	Grid    []float64 `yaml:"grid" json:"grid"`
	Steps   *Steps    `yaml:"steps" json:"steps,omitempty"`
	Seeds   []uint64  `yaml:"seeds" json:"seeds"`
	Figures string    `yaml:"figures" json:"figures"` // paper-fig1, paper-fig2 or curves
	Quick   Quick     `yaml:"quick" json:"quick"`
}

// Data sizes: 0 means the whole split.
type Data struct {
	Train int `yaml:"train" json:"train"`
	Test  int `yaml:"test" json:"test"`
	// HessianSamples is how many training images (a class-stratified,
	// seeded subset) the Hessian diagonal is averaged over; 0: all.
	HessianSamples int `yaml:"hessian_samples" json:"hessian_samples"`
	// EvalTrain is how many training images (a fixed class-stratified
	// subset) the sweep measures the training objective and error on; 0:
	// all. Training always uses all of Train.
	EvalTrain int `yaml:"eval_train" json:"eval_train"`
	// DigitSize > 0 rescales every image, training and test, so that
	// MNIST's 20-pixel digit box becomes DigitSize pixels, centred in the
	// 28×28 field ([datasets.Set.Resized]); Le Cun et al. (1998) fed
	// LeNet-1 16-pixel digits. 0 leaves the images as MNIST ships them, and
	// is omitted from the hash, so older definitions keep their hashes.
	DigitSize int `yaml:"digit_size" json:"digit_size,omitempty"`
}

// Recipe is a training recipe as written in a definition.
type Recipe struct {
	Epochs      int     `yaml:"epochs" json:"epochs"`
	BatchSize   int     `yaml:"batch_size" json:"batch_size"`
	LR          float64 `yaml:"lr" json:"lr"`
	Momentum    float64 `yaml:"momentum" json:"momentum"`
	WeightDecay float64 `yaml:"weight_decay" json:"weight_decay"`
	LRSchedule  string  `yaml:"lr_schedule" json:"lr_schedule"` // constant, exp or step
	LRGamma     float64 `yaml:"lr_gamma" json:"lr_gamma"`
	LRStep      int     `yaml:"lr_step" json:"lr_step"`
	// SDLMMu > 0 trains with stochastic diagonal Levenberg–Marquardt:
	// parameter k's rate is lr/(sdlm_mu + h_k), h re-estimated before
	// every epoch on sdlm_samples patterns (train.SDLM). Omitted from the
	// hash when 0, so older definitions keep their hashes.
	SDLMMu      float64 `yaml:"sdlm_mu" json:"sdlm_mu,omitempty"`
	SDLMSamples int     `yaml:"sdlm_samples" json:"sdlm_samples,omitempty"`
}

// Config converts the recipe for the trainer.
func (r Recipe) Config(seed uint64) train.Config {
	return train.Config{Epochs: r.Epochs, BatchSize: r.BatchSize, LR: r.LR, Momentum: r.Momentum,
		WeightDecay: r.WeightDecay, Seed: seed,
		Schedule: train.Schedule{Kind: r.LRSchedule, Gamma: r.LRGamma, Step: r.LRStep},
		SDLM:     train.SDLM{Mu: r.SDLMMu, Samples: r.SDLMSamples}}
}

// Steps generates a grid: each step deletes FractionOfRemaining of the
// parameters still alive, or Count parameters, until Until is deleted.
type Steps struct {
	FractionOfRemaining float64 `yaml:"fraction_of_remaining" json:"fraction_of_remaining"`
	Count               int     `yaml:"count" json:"count"`
	Until               float64 `yaml:"until" json:"until"`
}

// Quick is the reduced scale of -quick.
type Quick struct {
	Train          int `yaml:"train" json:"train"`
	Test           int `yaml:"test" json:"test"`
	HessianSamples int `yaml:"hessian_samples" json:"hessian_samples"`
	Epochs         int `yaml:"epochs" json:"epochs"`
	RetrainEpochs  int `yaml:"retrain_epochs" json:"retrain_epochs"`
	Seeds          int `yaml:"seeds" json:"seeds"`
	// Grid and Scopes, when given, replace the definition's.
	Grid   []float64 `yaml:"grid" json:"grid,omitempty"`
	Scopes []string  `yaml:"scopes" json:"scopes,omitempty"`
}

// figureSets are the figure sets a definition may name.
var figureSets = []string{"paper-fig1", "paper-fig2", "curves"}

// maxDefinitionBytes bounds what Parse reads: definitions are a page long.
const maxDefinitionBytes = 64 << 10

// Parse decodes and validates a definition. Errors name the file, and the
// line and field where there is one. Unknown keys, wrong types, values out
// of range and unknown names are errors.
func Parse(name string, r io.Reader) (*Definition, error) {
	src, err := io.ReadAll(io.LimitReader(r, maxDefinitionBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(src) > maxDefinitionBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxDefinitionBytes)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, fmt.Errorf("%s: empty definition", name)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, cleanYAMLError(err))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: a definition is a mapping of keys to values", name, max(root.Line, 1))
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %s", name, cleanYAMLError(err))
	}
	if err := dec.Decode(new(any)); err != io.EOF {
		return nil, fmt.Errorf("%s: more than one YAML document", name)
	}
	if err := d.validate(); err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("%s:%d: %s: %s", name, lineOf(root.Content[0], fe.path), fe.path, fe.msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &d, nil
}

// cleanYAMLError turns "yaml: unmarshal errors:\n  line 3: ..." into
// "line 3: ...; line 5: ...".
func cleanYAMLError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n")
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

type fieldError struct{ path, msg string }

func (e *fieldError) Error() string { return e.path + ": " + e.msg }

func fieldErr(path, format string, args ...any) error {
	return &fieldError{path: path, msg: fmt.Sprintf(format, args...)}
}

// lineOf finds the line of a dotted path such as "training.lr" or
// "grid[3]" in the document, or of the deepest part of it that exists.
func lineOf(n *yaml.Node, path string) int {
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			key = part[:i]
			fmt.Sscanf(part[i:], "[%d]", &idx)
		}
		var next *yaml.Node
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
		if idx >= 0 && n.Kind == yaml.SequenceNode && idx < len(n.Content) {
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

func (d *Definition) validate() error {
	if d.Name == "" {
		return fieldErr("name", "missing")
	}
	for _, r := range d.Name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fieldErr("name", "%q: use lower-case letters, digits and '-'", d.Name)
		}
	}
	if _, err := model.ByName(d.Network); err != nil {
		return fieldErr("network", "%v", err)
	}
	if err := d.Data.validate("data"); err != nil {
		return err
	}
	if err := d.Training.validate("training"); err != nil {
		return err
	}
	if len(d.Methods) == 0 {
		return fieldErr("methods", "missing")
	}
	for i, m := range d.Methods {
		if _, err := prune.New(m); err != nil {
			return fieldErr(fmt.Sprintf("methods[%d]", i), "%v", err)
		}
	}
	if len(d.Scopes) == 0 {
		d.Scopes = []string{string(prune.Global)}
	}
	for i, s := range d.Scopes {
		if _, err := prune.ParseScope(s); err != nil {
			return fieldErr(fmt.Sprintf("scopes[%d]", i), "%v", err)
		}
	}
	if err := d.Schedule.validate(); err != nil {
		return fieldErr("schedule", "%v", err)
	}
	if d.Schedule.retrains() {
		if err := d.Retraining.validate("retraining"); err != nil {
			return err
		}
	}
	switch {
	case d.Steps != nil && d.Grid != nil:
		return fieldErr("steps", "give grid or steps, not both")
	case d.Steps == nil && len(d.Grid) == 0:
		return fieldErr("grid", "missing (or give steps)")
	case d.Steps != nil:
		s := d.Steps
		if (s.FractionOfRemaining > 0) == (s.Count > 0) {
			return fieldErr("steps", "give exactly one of fraction_of_remaining and count")
		}
		if s.FractionOfRemaining < 0 || s.FractionOfRemaining >= 1 || math.IsNaN(s.FractionOfRemaining) {
			return fieldErr("steps.fraction_of_remaining", "%v outside (0, 1)", s.FractionOfRemaining)
		}
		if s.Count < 0 {
			return fieldErr("steps.count", "%d < 0", s.Count)
		}
		if !(s.Until > 0 && s.Until < 1) {
			return fieldErr("steps.until", "%v outside (0, 1)", s.Until)
		}
	}
	if err := validateGrid("grid", d.Grid); err != nil {
		return err
	}
	if err := validateGrid("quick.grid", d.Quick.Grid); err != nil {
		return err
	}
	for i, s := range d.Quick.Scopes {
		if _, err := prune.ParseScope(s); err != nil {
			return fieldErr(fmt.Sprintf("quick.scopes[%d]", i), "%v", err)
		}
	}
	if len(d.Seeds) == 0 {
		return fieldErr("seeds", "missing")
	}
	seen := map[uint64]bool{}
	for i, s := range d.Seeds {
		if seen[s] {
			return fieldErr(fmt.Sprintf("seeds[%d]", i), "seed %d repeated", s)
		}
		seen[s] = true
	}
	if d.Figures == "" {
		d.Figures = "curves"
	}
	if !contains(figureSets, d.Figures) {
		return fieldErr("figures", "%q: want one of %v", d.Figures, figureSets)
	}
	q := d.Quick
	for _, c := range []struct {
		name string
		v    int
	}{{"train", q.Train}, {"test", q.Test}, {"hessian_samples", q.HessianSamples}, {"epochs", q.Epochs},
		{"retrain_epochs", q.RetrainEpochs}, {"seeds", q.Seeds}} {
		if c.v < 0 {
			return fieldErr("quick."+c.name, "%d < 0", c.v)
		}
	}
	return nil
}

func validateGrid(path string, grid []float64) error {
	prev := -1.0
	for i, f := range grid {
		if !(f >= 0 && f < 1) {
			return fieldErr(fmt.Sprintf("%s[%d]", path, i), "fraction %v outside [0, 1)", f)
		}
		if f <= prev {
			return fieldErr(fmt.Sprintf("%s[%d]", path, i), "fractions must increase (%v after %v)", f, prev)
		}
		prev = f
	}
	return nil
}

func (d Data) validate(path string) error {
	for _, c := range []struct {
		name  string
		v, hi int
	}{{"train", d.Train, 60000}, {"test", d.Test, 10000}, {"hessian_samples", d.HessianSamples, 60000},
		{"eval_train", d.EvalTrain, 60000}} {
		if c.v < 0 || c.v > c.hi {
			return fieldErr(path+"."+c.name, "%d outside [0, %d] (0: all)", c.v, c.hi)
		}
	}
	if d.DigitSize < 0 || d.DigitSize > datasets.Rows {
		return fieldErr(path+".digit_size", "%d outside [0, %d] (0: as MNIST ships them, 20 pixels)", d.DigitSize, datasets.Rows)
	}
	return nil
}

func (r Recipe) validate(path string) error {
	switch {
	case r.Epochs <= 0:
		return fieldErr(path+".epochs", "%d: want at least 1", r.Epochs)
	case r.BatchSize <= 0:
		return fieldErr(path+".batch_size", "%d: want at least 1", r.BatchSize)
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fieldErr(path+".lr", "%v: want a positive number", r.LR)
	case !(r.Momentum >= 0 && r.Momentum < 1):
		return fieldErr(path+".momentum", "%v outside [0, 1)", r.Momentum)
	case !(r.WeightDecay >= 0) || math.IsInf(r.WeightDecay, 0):
		return fieldErr(path+".weight_decay", "%v: want a number ≥ 0", r.WeightDecay)
	case !(r.SDLMMu >= 0) || math.IsInf(r.SDLMMu, 0):
		return fieldErr(path+".sdlm_mu", "%v: want a number ≥ 0", r.SDLMMu)
	case r.SDLMSamples < 0 || r.SDLMSamples > 0 && r.SDLMMu == 0:
		return fieldErr(path+".sdlm_samples", "%d: want a number of samples ≥ 1, with sdlm_mu > 0", r.SDLMSamples)
	case r.SDLMMu > 0 && r.SDLMSamples == 0:
		return fieldErr(path+".sdlm_samples", "missing: sdlm_mu needs the number of samples h is averaged over")
	}
	switch r.LRSchedule {
	case "", "constant":
	case "exp", "step":
		if !(r.LRGamma > 0 && r.LRGamma <= 1) {
			return fieldErr(path+".lr_gamma", "%v outside (0, 1]", r.LRGamma)
		}
		if r.LRSchedule == "step" && r.LRStep <= 0 {
			return fieldErr(path+".lr_step", "%d: want at least 1 epoch", r.LRStep)
		}
	default:
		return fieldErr(path+".lr_schedule", "%q: want constant, exp or step", r.LRSchedule)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Hash names the definition's runs: the first 12 hex digits of the
// SHA-256 of its decoded content (so comments and layout do not count).
func (d *Definition) Hash() string {
	b, _ := json.Marshal(d)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

// Targets returns the deletion grid, generating it from Steps if needed.
func (d *Definition) Targets(net *model.Net) []float64 {
	if d.Steps == nil {
		return d.Grid
	}
	var g []float64
	f, p := 0.0, float64(net.NumParams())
	for f < d.Steps.Until {
		if d.Steps.Count > 0 {
			f += float64(d.Steps.Count) / p
		} else {
			f = 1 - (1-f)*(1-d.Steps.FractionOfRemaining)
		}
		f = math.Min(f, d.Steps.Until)
		g = append(g, f)
	}
	return g
}

// AtScale returns the definition as run: unchanged, or with -quick's
// reduced sizes, epochs and seeds.
func (d *Definition) AtScale(quick bool) *Definition {
	c := *d
	if !quick {
		return &c
	}
	q := d.Quick
	pick := func(v, full int) int {
		if v > 0 {
			return v
		}
		return full
	}
	c.Data = Data{Train: pick(q.Train, 3000), Test: pick(q.Test, 1000), HessianSamples: pick(q.HessianSamples, 500),
		DigitSize: d.Data.DigitSize}
	c.Data.EvalTrain = min(c.Data.Train, d.Data.EvalTrain)
	c.Training.Epochs = pick(q.Epochs, 1)
	c.Retraining.Epochs = pick(q.RetrainEpochs, 1)
	c.Seeds = c.Seeds[:min(len(c.Seeds), pick(q.Seeds, 1))]
	if q.Grid != nil {
		c.Grid, c.Steps = q.Grid, nil
	}
	if q.Scopes != nil {
		c.Scopes = q.Scopes
	}
	return &c
}
