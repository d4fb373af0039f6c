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
	"reflect"
	"slices"
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
	Training   train.Recipe `yaml:"training" json:"training"`
	Retraining train.Recipe `yaml:"retraining" json:"retraining"`
	Methods    []prune.Spec `yaml:"methods" json:"methods"`
	Scopes     []string     `yaml:"scopes" json:"scopes"`
	// Schedule is oneshot (delete from the trained net without
	// retraining, saliencies computed once), iterative (delete to each
	// grid target from the previous step's retrained net, retrain,
	// recompute), or oneshot-retrain (delete from the trained net to each
	// target, then retrain).
	Schedule Schedule `yaml:"schedule" json:"schedule"`
	// Grid lists the deleted fractions to reach, ascending, in [0, 1).
	// Alternatively Steps generates it.
	Grid  []float64 `yaml:"grid" json:"grid"`
	Steps *Steps    `yaml:"steps" json:"steps,omitempty"`
	// LayerBudgets gives, by layer name, the fraction of each layer's free
	// parameters to keep at the last target, as Han et al. (2015) prune
	// each layer to its own budget: every layer with parameters is named,
	// each fraction in (0, 1]. The grid (or steps) then lists targets below
	// the fraction F the budgets delete (prune.Budgets.Deleted), and F is
	// the last target, for every scope; the scope budget deletes from the
	// layers in proportion to their budgets (prune.SelectBudgets), global
	// and per-layer as usual. Omitted from the hash when not given.
	LayerBudgets map[string]float64 `yaml:"layer_budgets" json:"layer_budgets,omitempty"`
	Seeds        []uint64           `yaml:"seeds" json:"seeds"`
	Figures      string             `yaml:"figures" json:"figures"` // paper-fig1, paper-fig2 or curves
	Quick        Quick              `yaml:"quick" json:"quick"`
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
	// Validation > 0 holds out that many images of MNIST's training file
	// (a class-stratified subset drawn with validationSeed, the same for
	// every seed of every definition) as a validation set: they are never
	// trained on, never among the Hessian samples or eval_train, and
	// Train, when given, is drawn from the rest. The points record the
	// objective and error on them, so that a recipe, a retraining budget
	// or any other setting is chosen on validation error and the test set
	// is only reported. 0 (no validation set) is omitted from the hash,
	// so older definitions keep their hashes.
	Validation int `yaml:"validation" json:"validation,omitempty"`
}

// validationSeed draws every definition's validation images: one held-out
// set per size, so that two definitions with the same data.validation
// choose on the same images.
const validationSeed = 7

// trainImages is how many training images d.Train names: all the training
// file's images but the validation ones when Train is 0.
func (d Data) trainImages() int {
	if d.Train > 0 {
		return d.Train
	}
	return datasets.TrainN - d.Validation
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
	// Validation is -quick's data.validation; 0: the definition's, at most
	// quickValidation. Omitted from the hash when 0.
	Validation int `yaml:"validation" json:"validation,omitempty"`
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
	if line, err := checkSchema(root.Content[0], reflect.TypeFor[Definition]()); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line, err)
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
	if err := validateRecipe("training", d.Training); err != nil {
		return err
	}
	if len(d.Methods) == 0 {
		return fieldErr("methods", "missing")
	}
	if err := d.validateMethods(); err != nil {
		return err
	}
	for _, l := range []struct {
		path  string
		empty bool
	}{{"scopes", d.Scopes != nil && len(d.Scopes) == 0}, {"quick.scopes", d.Quick.Scopes != nil && len(d.Quick.Scopes) == 0},
		{"quick.grid", d.Quick.Grid != nil && len(d.Quick.Grid) == 0}} {
		if l.empty {
			return fieldErr(l.path, "an empty list: nothing to run (leave it out for the default)")
		}
	}
	if len(d.Scopes) == 0 {
		d.Scopes = []string{string(prune.Global)}
	}
	if err := validateScopes("scopes", d.Scopes); err != nil {
		return err
	}
	if err := d.Schedule.validate(); err != nil {
		return fieldErr("schedule", "%v", err)
	}
	if d.Schedule.retrains() {
		if err := validateRecipe("retraining", d.Retraining); err != nil {
			return err
		}
	} else if d.Retraining != (train.Recipe{}) || d.Quick.RetrainEpochs != 0 {
		field := "retraining"
		if d.Retraining == (train.Recipe{}) {
			field = "quick.retrain_epochs"
		}
		return fieldErr(field, "given, but schedule %s never retrains: leave it out, or choose iterative or oneshot-retrain", d.Schedule)
	}
	for _, rc := range []struct {
		path string
		r    train.Recipe
	}{{"training", d.Training}, {"retraining", d.Retraining}} {
		if rc.r.Monitor == train.OnValidation && d.Data.Validation == 0 {
			return fieldErr(rc.path+".monitor", "%s needs held-out images: set data.validation", rc.r.Monitor)
		}
		// The first epoch always improves, so a plateau stops at the
		// earliest after 1+patience epochs: with no more epochs than
		// that, the rule never acts. (-quick's reduced epochs may.)
		if rc.r.Patience > 0 && rc.r.Patience >= rc.r.Epochs {
			return fieldErr(rc.path+".patience", "%d with epochs %d: a plateau stops training after patience epochs without improvement, so it never stops before the cap; give epochs > patience, or leave patience out",
				rc.r.Patience, rc.r.Epochs)
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
	if err := d.validateBudgets(); err != nil {
		return err
	}
	if err := validateScopes("quick.scopes", d.Quick.Scopes); err != nil {
		return err
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
		{"retrain_epochs", q.RetrainEpochs}, {"seeds", q.Seeds}, {"validation", q.Validation}} {
		if c.v < 0 {
			return fieldErr("quick."+c.name, "%d < 0", c.v)
		}
	}
	if q.Seeds > len(d.Seeds) {
		return fieldErr("quick.seeds", "%d, but seeds lists %d: -quick runs the first quick.seeds of them", q.Seeds, len(d.Seeds))
	}
	if err := d.validateSizes("", ""); err != nil {
		return err
	}
	if err := d.AtScale(true).validateSizes(" of -quick", "quick."); err != nil {
		return err
	}
	if err := d.AtScale(true).Data.validate("quick"); err != nil {
		return err
	}
	net, _ := model.ByName(d.Network)
	if err := d.checkTargets(net, "grid"); err != nil {
		return err
	}
	if d.Quick.Grid != nil {
		return d.AtScale(true).checkTargets(net, "quick.grid")
	}
	return nil
}

// checkTargets refuses a list of targets that never ends (targets), two
// targets that delete the same number of parameters, which would measure
// one net twice under two names (a step that deletes nothing), and a first
// target that deletes none (the dense net, step 0).
// gridPath names the list the grid came from (grid or quick.grid).
func (d *Definition) checkTargets(net *model.Net, gridPath string) error {
	g, err := d.targets(net)
	if err != nil {
		return err
	}
	n := float64(net.NumParams())
	budgets := d.budgets(net)
	// -quick runs these targets in its own scopes too unless it has a
	// grid of its own.
	scopes := d.Scopes
	if d.Quick.Grid == nil {
		scopes = slices.Concat(scopes, d.Quick.Scopes)
	}
	for i := range g {
		field := fmt.Sprintf("%s[%d]", gridPath, i)
		switch {
		case d.Steps != nil:
			field = "steps"
		case i == len(d.Grid):
			field = "layer_budgets" // their last target, after the grid
		}
		b := math.Round(g[i] * n)
		if i == 0 {
			if b == 0 {
				return fieldErr(field, "target %v deletes none of the %.0f free parameters of %s: the dense net, which step 0 already measures",
					g[i], n, d.Network)
			}
			continue
		}
		if a := math.Round(g[i-1] * n); b <= a {
			return fieldErr(field, "targets %v and %v both delete %.0f of the %.0f free parameters of %s: one net measured twice; give targets that differ by at least one parameter",
				g[i-1], g[i], b, n, d.Network)
		}
		// Per layer (and to budgets), each layer rounds its own count
		// (prune.LayerCounts): two targets a parameter apart globally may
		// delete the same count in every layer.
		for _, sc := range scopes {
			if sc := prune.Scope(sc); sc != prune.Global && (sc != prune.Budget || budgets != nil) && slices.Equal(prune.LayerCounts(net, g[i-1], sc, budgets), prune.LayerCounts(net, g[i], sc, budgets)) {
				return fieldErr(field, "targets %v and %v delete the same number of parameters in every layer of %s under scope %s: one net measured twice; give targets further apart",
					g[i-1], g[i], d.Network, sc)
			}
		}
	}
	return nil
}

// validateMethods checks each method and its parameters (an error names
// the parameter: methods[1].damping), refuses one listed twice (by its
// label, Spec.String), and a method that deletes with corrections
// (prune.Updater) in a scope its chains cannot delete in (global only,
// unless it is a prune.ScopedUpdater).
func (d *Definition) validateMethods() error {
	for i, m := range d.Methods {
		path := fmt.Sprintf("methods[%d]", i)
		pm, err := prune.NewSpec(m)
		var pe *prune.ParamError
		if errors.As(err, &pe) {
			return fieldErr(path+"."+pe.Param, "%v", pe.Err)
		} else if err != nil {
			return fieldErr(path, "%v", err)
		}
		for j := range i {
			// By value, not by label: obs and obs(damping=0.01), its
			// default, are one method.
			if other, _ := prune.NewSpec(d.Methods[j]); reflect.DeepEqual(other, pm) {
				if d.Methods[j].String() == m.String() {
					return fieldErr(path, "method %s listed twice", m)
				}
				return fieldErr(path, "method %s listed twice: it is methods[%d], %s, with its parameters' defaults spelled out", m, j, d.Methods[j])
			}
		}
		if up, ok := pm.(prune.Updater); ok {
			for _, s := range slices.Concat(d.Scopes, d.Quick.Scopes) {
				if err := updaterScope(up, m.String(), prune.Scope(s)); err != nil {
					return fieldErr(path, "%v", err)
				}
			}
		}
	}
	return nil
}

// MethodLabels returns the methods' labels (prune.Spec.String), as
// points.csv names them.
func (d *Definition) MethodLabels() []string {
	ls := make([]string, len(d.Methods))
	for i, m := range d.Methods {
		ls[i] = m.String()
	}
	return ls
}

func validateScopes(path string, scopes []string) error {
	for i, s := range scopes {
		if _, err := prune.ParseScope(s); err != nil {
			return fieldErr(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
		if slices.Index(scopes, s) < i {
			return fieldErr(fmt.Sprintf("%s[%d]", path, i), "scope %s listed twice", s)
		}
	}
	return nil
}

// validateSizes refuses samples drawn from the training images that
// outnumber them: the Hessian samples, the images the sweep measures the
// training objective on, a minibatch, and the patterns SDLM averages its
// rates over (train.SGD would take them all, silently). (They used to be clamped
// silently, while manifest.json recorded the number asked for.) For the
// -quick scale, scale names the sizes and prefix the fields that set them.
func (d *Definition) validateSizes(scale, prefix string) error {
	n := d.Data.trainImages()
	trainField := "data.train"
	if prefix != "" {
		trainField = prefix + "train"
	}
	checks := []struct {
		field string
		v     int
	}{{"data.hessian_samples", d.Data.HessianSamples}, {"data.eval_train", d.Data.EvalTrain},
		{"training.batch_size", d.Training.BatchSize}, {"training.sdlm_samples", d.Training.SDLMSamples}}
	if d.Schedule != "oneshot" {
		checks = append(checks, []struct {
			field string
			v     int
		}{{"retraining.batch_size", d.Retraining.BatchSize}, {"retraining.sdlm_samples", d.Retraining.SDLMSamples}}...)
	}
	for _, c := range checks {
		if c.v > n {
			field := c.field
			if prefix != "" && strings.HasPrefix(field, "data.") {
				field = prefix + strings.TrimPrefix(field, "data.")
			}
			return fieldErr(field, "%d > the %d training images%s (%s)", c.v, n, scale, trainField)
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
	if d.Validation < 0 || d.Validation >= datasets.TrainN {
		return fieldErr(path+".validation", "%d outside [0, %d) (0: no validation set)", d.Validation, datasets.TrainN)
	}
	if d.Train+d.Validation > datasets.TrainN {
		return fieldErr(path+".validation", "%d held-out images and %d training images (data.train) are more than the training file's %d",
			d.Validation, d.Train, datasets.TrainN)
	}
	if d.DigitSize < 0 || d.DigitSize > datasets.Rows {
		return fieldErr(path+".digit_size", "%d outside [0, %d] (0: as MNIST ships them, 20 pixels)", d.DigitSize, datasets.Rows)
	}
	return nil
}

// validateRecipe validates a recipe (train.Recipe.Validate, the one
// place) and names the failing field under path.
func validateRecipe(path string, r train.Recipe) error {
	var fe *train.FieldError
	if err := r.Validate(); errors.As(err, &fe) {
		return fieldErr(path+"."+fe.Field, "%s", fe.Msg)
	} else if err != nil {
		return fieldErr(path, "%v", err)
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

// budgets returns the definition's layer budgets as prune takes them (1
// for a layer without parameters), or nil when it gives none.
func (d *Definition) budgets(net *model.Net) prune.Budgets {
	if len(d.LayerBudgets) == 0 {
		return nil
	}
	b := make(prune.Budgets, len(net.Layers))
	for i, l := range net.Layers {
		b[i] = 1
		if f, ok := d.LayerBudgets[l.Name()]; ok {
			b[i] = f
		}
	}
	return b
}

// validateBudgets checks layer_budgets against the network, the scope
// budget against layer_budgets, and the targets against what the budgets
// delete.
func (d *Definition) validateBudgets() error {
	net, err := model.ByName(d.Network)
	if err != nil {
		return err
	}
	if len(d.LayerBudgets) == 0 {
		for i, s := range append(slices.Clone(d.Scopes), d.Quick.Scopes...) {
			if s == string(prune.Budget) {
				field := fmt.Sprintf("scopes[%d]", i)
				if i >= len(d.Scopes) {
					field = fmt.Sprintf("quick.scopes[%d]", i-len(d.Scopes))
				}
				return fieldErr(field, "scope %s needs layer_budgets (the kept fraction of each layer)", prune.Budget)
			}
		}
		return nil
	}
	var names []string
	for i, l := range net.Layers {
		if net.Offset(i+1) == net.Offset(i) {
			continue
		}
		names = append(names, l.Name())
		if _, ok := d.LayerBudgets[l.Name()]; !ok {
			return fieldErr("layer_budgets", "layer %s of %s has no budget (give every layer with parameters: %s)",
				l.Name(), d.Network, strings.Join(layerNames(net), ", "))
		}
	}
	for name, f := range d.LayerBudgets {
		if !slices.Contains(names, name) {
			return fieldErr("layer_budgets."+name, "%s has no layer %s with parameters (layers: %s)", d.Network, name,
				strings.Join(layerNames(net), ", "))
		}
		if !(f > 0 && f <= 1) {
			return fieldErr("layer_budgets."+name, "kept fraction %v outside (0, 1]", f)
		}
	}
	F := d.budgets(net).Deleted(net)
	for _, g := range []struct {
		path string
		grid []float64
	}{{"grid", d.Grid}, {"quick.grid", d.Quick.Grid}} {
		for i, f := range g.grid {
			if f >= F {
				return fieldErr(fmt.Sprintf("%s[%d]", g.path, i), "%v is not below %.6g, what layer_budgets delete (their last target)", f, F)
			}
		}
	}
	if d.Steps != nil && d.Steps.Until >= F {
		return fieldErr("steps.until", "%v is not below %.6g, what layer_budgets delete (their last target)", d.Steps.Until, F)
	}
	return nil
}

// layerNames lists the names of net's layers with parameters.
func layerNames(net *model.Net) []string {
	var names []string
	for i, l := range net.Layers {
		if net.Offset(i+1) > net.Offset(i) {
			names = append(names, l.Name())
		}
	}
	return names
}

// maxTargets bounds the deletion targets of a definition: a steps:
// generator that would make more (or never reach until) is refused.
const maxTargets = 999

// Targets returns the deletion grid, generating it from Steps if needed,
// and with layer_budgets, the fraction they delete as the last target. The
// definition must be valid (Parse validates it).
func (d *Definition) Targets(net *model.Net) []float64 {
	g, err := d.targets(net)
	if err != nil {
		panic(err) // Parse refuses such a definition
	}
	return g
}

// targets generates the grid, refusing more than maxTargets targets: a
// fraction_of_remaining so small that 1-(1-f)(1-r) rounds back to f would
// otherwise never end.
func (d *Definition) targets(net *model.Net) ([]float64, error) {
	g, err := d.gridTargets(net)
	if err != nil {
		return nil, err
	}
	if b := d.budgets(net); b != nil {
		g = append(slices.Clone(g), b.Deleted(net))
	}
	return g, nil
}

// gridTargets are the targets of the grid or of the steps generator.
func (d *Definition) gridTargets(net *model.Net) ([]float64, error) {
	if d.Steps == nil {
		return d.Grid, nil
	}
	var g []float64
	f, p := 0.0, float64(net.NumParams())
	for f < d.Steps.Until {
		if len(g) == maxTargets {
			field, v := "steps.fraction_of_remaining", fmt.Sprint(d.Steps.FractionOfRemaining)
			if d.Steps.Count > 0 {
				field, v = "steps.count", fmt.Sprint(d.Steps.Count)
			}
			return nil, fieldErr(field, "%s makes more than %d targets before until %v (%d free parameters)",
				v, maxTargets, d.Steps.Until, net.NumParams())
		}
		if d.Steps.Count > 0 {
			f += float64(d.Steps.Count) / p
		} else {
			f = 1 - (1-f)*(1-d.Steps.FractionOfRemaining)
		}
		f = math.Min(f, d.Steps.Until)
		g = append(g, f)
	}
	return g, nil
}

// quickValidation bounds -quick's validation set when quick.validation
// does not give it.
const quickValidation = 1000

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
	c.Data.Validation = min(d.Data.Validation, quickValidation)
	if q.Validation > 0 {
		c.Data.Validation = q.Validation
	}
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
