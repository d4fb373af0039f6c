package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"obd/claims"
	"obd/model"
	"obd/report"
)

// results is what EXPERIMENTS.md.tmpl executes over: the loaded result
// files and the methods the template calls to reach claims. Every method
// returns data or a generated table; none writes prose.
type results struct {
	Out  string   // the results directory
	Defs []string // the shipped definitions, in order

	pts       map[string][]report.Point // by definition; missing when not run
	manifests map[string]claims.Manifest
	base      []claims.Baseline
	baseRecs  [][]string // baselines.csv, header first; nil when not run
	// validBase are, by network, the rows of the baselines whose recipe
	// is chosen on validation (ValidBaselinesFile); a network's entry is
	// missing when its file was not run.
	validBase map[string][]claims.Baseline
	gap       *claims.Table
	passes    *claims.Passes
	pytorch   string

	table [][]string // the table being built by Row
}

func (r *results) file(def string) string { return filepath.Join(r.Out, def, "points.csv") }

// Has reports whether def's points.csv was read.
func (r *results) Has(def string) bool { return r.pts[def] != nil }

// NotRun lists the definitions of defs that have no points, in order.
func (r *results) NotRun(defs []string) []string {
	var out []string
	for _, d := range defs {
		if r.pts[d] == nil {
			out = append(out, d)
		}
	}
	return out
}

// Points returns def's points.
func (r *results) Points(def string) []report.Point { return r.pts[def] }

// Src names def's points.csv in backquotes, or says it was not run.
func (r *results) Src(def string) string {
	if !r.Has(def) {
		return "not run: " + r.file(def)
	}
	return "`" + r.file(def) + "`"
}

// PredateCutOff lists the definitions whose points.csv was written before
// the layers cut off from the output were counted.
func (r *results) PredateCutOff() []string {
	var defs []string
	for _, def := range r.Defs {
		if r.Has(def) && claims.PredatesCutOff(r.pts[def]) {
			defs = append(defs, def)
		}
	}
	return defs
}

// CutOffDefs lists the definitions with a net cut off from its output.
func (r *results) CutOffDefs() []string {
	var defs []string
	for _, def := range r.Defs {
		if len(claims.CutOff(r.pts[def])) > 0 {
			defs = append(defs, def)
		}
	}
	return defs
}

// File is def's points.csv.
func (r *results) File(def string) string { return r.file(def) }

// Missing lists, as file names, the results the discussion is about that
// were not read: the points.csv and manifest.json of each of defs (the
// definitions it discusses; a shipped definition added later and not yet
// run does not hold it back), the Hessian-gap report, the benchmarks and
// baselines.csv with a row for each of baselines.
func (r *results) Missing(defs []string, baselines ...string) []string {
	var m []string
	for _, def := range defs {
		if !r.Has(def) {
			m = append(m, r.file(def))
		}
		if _, ok := r.manifests[def]; !ok {
			m = append(m, filepath.Join(r.Out, def, "manifest.json"))
		}
	}
	for _, f := range []struct {
		ok   bool
		name string
	}{{r.gap != nil, r.GapFile()}, {r.passes != nil, r.BenchFile()}, {r.pytorch != "", r.PyTorchFile()}} {
		if !f.ok {
			m = append(m, f.name)
		}
	}
	if r.baseRecs == nil {
		return append(m, r.BaselinesFile())
	}
	for _, b := range baselines {
		if _, ok := claims.BaselineOf(r.base, b); !ok {
			m = append(m, fmt.Sprintf("%s (row %s)", r.BaselinesFile(), b))
		}
	}
	return m
}

// Manifest returns def's manifest.json, nil when it was not read.
func (r *results) Manifest(def string) *claims.Manifest {
	m, ok := r.manifests[def]
	if !ok {
		return nil
	}
	return &m
}

// methodAt is one method's measure at one level, over the seeds.
type methodAt struct {
	Method string
	claims.Level
}

// LevelOf returns, for each method of methods, the measure named m
// (claims.Measures) of def's points at level f before retraining, over the
// seeds, in the order given; nil when some method has no point at f.
func (r *results) LevelOf(def string, methods []string, f float64, m string) ([]methodAt, error) {
	return r.levelOf(def, methods, f, m, false)
}

// RetrainedLevelOf is LevelOf after retraining.
func (r *results) RetrainedLevelOf(def string, methods []string, f float64, m string) ([]methodAt, error) {
	return r.levelOf(def, methods, f, m, true)
}

func (r *results) levelOf(def string, methods []string, f float64, m string, retrained bool) ([]methodAt, error) {
	var out []methodAt
	for _, name := range methods {
		c, err := r.Curve(def, name, "", retrained, m)
		if err != nil {
			return nil, err
		}
		l, ok := claims.At(c, f)
		if !ok {
			return nil, nil
		}
		out = append(out, methodAt{name, l})
	}
	return out, nil
}

// Curve is claims.Curve of def's points, the measure named as in
// claims.Measures.
func (r *results) Curve(def, method, scope string, retrained bool, measure string) ([]claims.Level, error) {
	m, ok := claims.Measures[measure]
	if !ok {
		return nil, fmt.Errorf("no measure %q", measure)
	}
	return claims.Curve(r.pts[def], method, scope, retrained, m), nil
}

// Dense describes the test error of def's dense nets over the seeds.
func (r *results) Dense(def string) report.Stat {
	return claims.Describe(claims.Dense(r.pts[def]), claims.TestError)
}

// BaselinesFile is results/baselines/baselines.csv.
func (r *results) BaselinesFile() string { return filepath.Join(r.Out, "baselines", "baselines.csv") }

// HasBaselines reports whether baselines.csv was read.
func (r *results) HasBaselines() bool { return r.baseRecs != nil }

// BaselinesTable is baselines.csv as a Markdown table. A file that
// predates the did_not_learn column gains it when a row is marked on
// reading (claims.Baseline.DidNotLearn), so that no net that did not learn
// reads as a measurement.
func (r *results) BaselinesTable() (string, error) {
	if len(r.baseRecs) < 2 {
		return "", nil
	}
	head, recs := r.baseRecs[0], r.baseRecs[1:]
	if slices.Contains(head, "did_not_learn") || !slices.ContainsFunc(r.base, func(b claims.Baseline) bool { return b.DidNotLearn != "" }) {
		return table(head, recs)
	}
	head = append(slices.Clip(head), "did_not_learn")
	marked := make([][]string, len(recs))
	for i, rec := range recs {
		marked[i] = append(slices.Clip(rec), r.base[i].DidNotLearn)
	}
	return table(head, marked)
}

// Baseline is the row of definition def in baselines.csv; an error when
// there is none.
func (r *results) Baseline(def string) (claims.Baseline, error) {
	b, ok := claims.BaselineOf(r.base, def)
	if !ok {
		return b, fmt.Errorf("%s: no row %q", r.BaselinesFile(), def)
	}
	return b, nil
}

// ValidBaseline is the first row of definition def in network's
// ValidBaselinesFile; an error when there is none.
func (r *results) ValidBaseline(network, def string) (claims.Baseline, error) {
	b, ok := claims.BaselineOf(r.validBase[network], def)
	if !ok {
		return b, fmt.Errorf("%s: no row %q", r.ValidBaselinesFile(network), def)
	}
	return b, nil
}

// ValidTest is the test error over seeds of definition def's rows in
// network's ValidBaselinesFile (N 0 when it has none).
func (r *results) ValidTest(network, def string) report.Stat {
	var xs []float64
	for _, row := range r.validBase[network] {
		if row.Definition == def {
			xs = append(xs, row.TestError)
		}
	}
	return report.Describe(xs)
}

// best is a network's best baseline and the number of its recipes.
type best struct {
	claims.Baseline
	N int
}

// Several reports whether the network has more than one recipe.
func (b best) Several() bool { return b.N > 1 }

// ValidBaselinesFile is network's baselines file whose recipes are chosen
// on validation error: results/baselines-<network>/baselines.csv, as
// `-baselines -baselines-dir baselines-<network>` writes it.
func (r *results) ValidBaselinesFile(network string) string {
	return filepath.Join(r.Out, "baselines-"+network, "baselines.csv")
}

// chosen is the recipe validation chose for a network, and the test error
// of its net over the seeds trained with it.
type chosen struct {
	claims.Baseline
	N    int         // recipes compared
	Test report.Stat // test error of the chosen definition's rows, over seeds
}

// Only reports whether the chosen recipe was the only one compared: then
// validation chose nothing, it only measured.
func (c chosen) Only() bool { return c.N == 1 }

// ChosenOnValidation is claims.ChosenOnValidation of network over
// network's ValidBaselinesFile, with the chosen recipe's test error over
// its seeds; N is 0 when the file is absent or holds no validation rows of
// network.
func (r *results) ChosenOnValidation(network string) (chosen, error) {
	rows := r.validBase[network]
	b, n, err := claims.ChosenOnValidation(rows, network)
	if err != nil || n == 0 {
		return chosen{}, err
	}
	var xs []float64
	for _, row := range rows {
		if row.Network == network && row.Definition == b.Definition {
			xs = append(xs, row.TestError)
		}
	}
	return chosen{Baseline: b, N: n, Test: report.Describe(xs)}, nil
}

// BestBaseline is claims.BestBaseline of network.
func (r *results) BestBaseline(network string) best {
	b, n := claims.BestBaseline(r.base, network)
	return best{b, n}
}

// BaselinesSeconds sums epochs × seconds per epoch over baselines.csv.
func (r *results) BaselinesSeconds() float64 {
	s := 0.0
	for _, b := range r.base {
		s += float64(b.Epochs) * b.SecondsPerEpoch
	}
	return s
}

// BaselinesDefs lists the definitions of baselines.csv, each once, in the
// file's order: the names its -baselines command was given.
func (r *results) BaselinesDefs() []string {
	var defs []string
	for _, b := range r.base {
		if !slices.Contains(defs, b.Definition) {
			defs = append(defs, b.Definition)
		}
	}
	return defs
}

// GapFile is results/hessian/gap.md.
func (r *results) GapFile() string { return filepath.Join(r.Out, "hessian", "gap.md") }

// HasGap reports whether gap.md was read.
func (r *results) HasGap() bool { return r.gap != nil }

// Gap returns a column of gap.md's first table for the given layers.
func (r *results) Gap(column string, layers ...string) ([]float64, error) {
	if r.gap == nil {
		return nil, fmt.Errorf("no %s", r.GapFile())
	}
	xs, err := r.gap.Column(column, layers...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.GapFile(), err)
	}
	return xs, nil
}

// GapValue returns one cell of gap.md's first table: the column of a layer.
func (r *results) GapValue(column, layer string) (float64, error) {
	xs, err := r.Gap(column, layer)
	if err != nil {
		return 0, err
	}
	if len(xs) != 1 {
		return 0, fmt.Errorf("%s: %d rows %q", r.GapFile(), len(xs), layer)
	}
	return xs[0], nil
}

// BenchFile is results/bench/bench-gonum.txt.
func (r *results) BenchFile() string { return filepath.Join(r.Out, "bench", "bench-gonum.txt") }

// Passes is the pass benchmarks of BenchFile, nil when not measured.
func (r *results) Passes() *claims.Passes { return r.passes }

// PassTable is the table of the pass benchmarks.
func (r *results) PassTable() (string, error) {
	return table(claims.PassRows(r.passes.NS))
}

// PassRatio is claims.PassRatio of the pass benchmarks.
func (r *results) PassRatio(pass string) report.Stat { return claims.PassRatio(r.passes.NS, pass) }

// PyTorchFile is results/bench/pytorch.md.
func (r *results) PyTorchFile() string { return filepath.Join(r.Out, "bench", "pytorch.md") }

// HasPyTorch reports whether pytorch.md was read.
func (r *results) HasPyTorch() bool { return r.pytorch != "" }

// GoVsPyTorch describes, over pytorch.md's per-network tables, the Go
// float64 rows' time over PyTorch's float64 time (the rows measured; the
// column is "Go / PyTorch, same precision", scripts/benchcompare).
func (r *results) GoVsPyTorch() (report.Stat, error) {
	const column = "Go / PyTorch, same precision"
	var xs []float64
	for _, t := range claims.ParseTables(r.pytorch) {
		if len(t.Header) < 4 || t.Header[3] != column {
			continue
		}
		var keys []string
		for _, row := range t.Rows {
			if strings.HasPrefix(row[0], "Go float64") && len(row) > 3 && row[3] != "–" {
				keys = append(keys, row[0])
			}
		}
		if len(keys) == 0 {
			continue
		}
		v, err := t.Column(column, keys...)
		if err != nil {
			return report.Stat{}, fmt.Errorf("%s: %w", r.PyTorchFile(), err)
		}
		xs = append(xs, v...)
	}
	if len(xs) == 0 {
		return report.Stat{}, fmt.Errorf("%s: no Go float64 row with a ratio to PyTorch in a table with column %q", r.PyTorchFile(), column)
	}
	return report.Describe(xs), nil
}

// goalRows are the rows (goal, measured, met) of pytorch.md's goal tables.
func (r *results) goalRows() [][]string {
	var rows [][]string
	for _, t := range claims.ParseTables(r.pytorch) {
		if len(t.Header) == 3 && t.Header[0] == "goal" {
			rows = append(rows, t.Rows...)
		}
	}
	return rows
}

// MissedGoals returns the goals pytorch.md's goal table marks ✗, as
// "goal (measured)".
func (r *results) MissedGoals() []string {
	var gs []string
	for _, row := range r.goalRows() {
		if row[2] == "✗" {
			gs = append(gs, fmt.Sprintf("%s (measured: %s)", row[0], row[1]))
		}
	}
	return gs
}

// Missed reports whether pytorch.md's goal table marks ✗ a goal whose text
// begins with prefix, so that EXPERIMENTS.md explains only the goals the
// measurements missed. A prefix that names no goal is an error, so that a
// goal renamed in scripts/benchcompare cannot silently drop its
// explanation.
func (r *results) Missed(prefix string) (bool, error) {
	found := false
	for _, row := range r.goalRows() {
		if strings.HasPrefix(row[0], prefix) {
			if row[2] == "✗" {
				return true, nil
			}
			found = true
		}
	}
	if !found {
		return false, fmt.Errorf("Missed: no goal in results/bench/pytorch.md begins with %q", prefix)
	}
	return false, nil
}

// SparseFiles are the results/bench/sparse-*.md reports.
func (r *results) SparseFiles() []string {
	fs, _ := filepath.Glob(filepath.Join(r.Out, "bench", "sparse-*.md"))
	return fs
}

// Figures are the SVG figures of def.
func (r *results) Figures(def string) []string {
	fs, _ := filepath.Glob(filepath.Join(r.Out, def, "figures", "*.svg"))
	return fs
}

// OneshotTable tabulates a oneshot definition (claims.OneshotRows).
func (r *results) OneshotTable(def string, methods ...string) (string, error) {
	return table(claims.OneshotRows(r.pts[def], methods))
}

// OneshotTableOf is OneshotTable with the methods as a list.
func (r *results) OneshotTableOf(def string, methods []string) (string, error) {
	return r.OneshotTable(def, methods...)
}

// OneshotErrorTable tabulates the test errors of a definition without
// retraining, every method–scope pair (claims.OneshotErrorRows).
func (r *results) OneshotErrorTable(def string) (string, error) {
	return table(claims.OneshotErrorRows(r.pts[def]))
}

// chosenSetting is a method setting chosen on validation error
// (claims.ChooseSetting): the chosen Setting (Method "" when none) and
// every candidate's.
type chosenSetting struct {
	claims.Setting
	Settings []claims.Setting
	// Edge says the chosen setting is the first or last of those tried
	// (in the definition's order): a setting beyond it might do better.
	Edge bool
}

// SettingsTable tabulates the candidates of a chosenSetting: each label's
// mean validation error and objective over the sweep's deletion levels,
// the chosen one marked.
func (r *results) SettingsTable(c chosenSetting) (string, error) {
	var rows [][]string
	for _, s := range c.Settings {
		mark := ""
		if s.Method == c.Method {
			mark = "chosen"
		}
		rows = append(rows, []string{s.Method, fmt.Sprintf("%.2f%%", 100*s.ValidError), fmt.Sprintf("%.4f", s.ValidObjective), fmt.Sprint(s.Levels), mark})
	}
	return table([]string{"setting", "validation error (mean over levels)", "validation objective", "levels", ""}, rows)
}

// budgetRow is one definition of the retraining-budget study at one
// deletion level: its retraining budget in words, what retraining
// recovered for OBD and for magnitude, and OBD's lead over magnitude
// (magnitude's test error minus OBD's, seed by seed).
type budgetRow struct {
	Def, Retraining string
	OBD, Magnitude  claims.Recovery
	Lead            report.Stat
}

// Budgets returns the budgetRow at level f of each definition of defs that
// has points, in the order given.
func (r *results) Budgets(defs []string, f float64) ([]budgetRow, error) {
	var rows []budgetRow
	for _, def := range defs {
		pts := r.pts[def]
		if pts == nil {
			continue
		}
		d, err := load(def)
		if err != nil {
			return nil, err
		}
		re := d.Retraining
		budget := fmt.Sprintf("%d epoch", re.Epochs)
		if re.Epochs != 1 {
			budget += "s"
		}
		if re.Patience > 0 {
			budget = fmt.Sprintf("to a plateau of the %s objective (patience %d, at most %d epochs)", re.Monitor, re.Patience, re.Epochs)
		}
		rows = append(rows, budgetRow{Def: def, Retraining: budget,
			OBD: claims.RecoveryAt(pts, "obd", f), Magnitude: claims.RecoveryAt(pts, "magnitude", f),
			Lead: claims.LeadAt(pts, "obd", "magnitude", f)})
	}
	return rows, nil
}

// budgetChoice is claims.ChooseBudget's pick among Budgets' rows.
type budgetChoice struct {
	Chosen, Best budgetRow
	Recovers, OK bool
	Diff         report.Stat // Chosen's validation error minus Best's, seed by seed
}

// ChooseBudget is claims.ChooseBudget of OBD at level f with tolerance tol
// over the definitions of rows: the retraining budget chosen on validation.
func (r *results) ChooseBudget(rows []budgetRow, f, tol float64) budgetChoice {
	bs := make([]claims.Budget, len(rows))
	for i, row := range rows {
		bs[i] = claims.Budget{Def: row.Def, Points: r.pts[row.Def]}
	}
	c := claims.ChooseBudget(bs, "obd", f, tol)
	if !c.OK {
		return budgetChoice{}
	}
	return budgetChoice{Chosen: rows[c.Chosen], Best: rows[c.Best], Recovers: c.Recovers, OK: true, Diff: c.Diff}
}

// SameRetraining reports whether definitions a and b retrain with the same
// recipe (every field of their retraining: epochs, batch, rate, schedule,
// plateau rule...).
func (r *results) SameRetraining(a, b string) (bool, error) {
	da, err := load(a)
	if err != nil {
		return false, err
	}
	db, err := load(b)
	if err != nil {
		return false, err
	}
	return da.Retraining == db.Retraining, nil
}

// leadRange is how OBD's lead over magnitude moves across budgets: the
// smallest and largest mean lead (points as fractions) and the smallest
// standard deviation over seeds among them; N counts the budgets with a
// lead.
type leadRange struct {
	N                int
	Min, Max, MinStd float64
}

// LeadRange is the leadRange of rows.
func (r *results) LeadRange(rows []budgetRow) leadRange {
	var l leadRange
	for _, b := range rows {
		if b.Lead.N == 0 {
			continue
		}
		if l.N == 0 || b.Lead.Mean < l.Min {
			l.Min = b.Lead.Mean
		}
		if l.N == 0 || b.Lead.Mean > l.Max {
			l.Max = b.Lead.Mean
		}
		if l.N == 0 || b.Lead.Std < l.MinStd {
			l.MinStd = b.Lead.Std
		}
		l.N++
	}
	return l
}

// BudgetTable tabulates Budgets' rows: per budget and method, the test
// error after retraining and its gap to the dense net's, the training
// objective's gap in dB, the validation error's gap, and the retraining
// epochs a step used; then OBD's lead.
func (r *results) BudgetTable(rows []budgetRow) (string, error) {
	var out [][]string
	gap := func(s report.Stat) string {
		if s.N == 0 {
			return "–"
		}
		return fmt.Sprintf("%+.2f ± %.2f", 100*s.Mean, 100*s.Std)
	}
	for _, b := range rows {
		for _, m := range []claims.Recovery{b.OBD, b.Magnitude} {
			lead := ""
			if m.Method == "obd" {
				lead = gap(b.Lead)
			}
			out = append(out, []string{b.Def, b.Retraining, m.Method,
				fmt.Sprintf("%.2f ± %.2f%% (%s)", 100*m.Test.Mean, 100*m.Test.Std, seeds(m.Test.N)),
				gap(m.TestGap), fmt.Sprintf("%+.2f ± %.2f", m.TrainDBGap.Mean, m.TrainDBGap.Std), gap(m.ValidGap),
				fmt.Sprintf("%.1f", m.Epochs.Mean), lead})
		}
	}
	return table([]string{"definition", "retraining per step", "method", "test error", "test error − dense (points)",
		"training objective − dense (dB)", "validation error − dense (points)", "epochs per step (mean)", "OBD's lead (points)"}, out)
}

// seeds is "1 seed" or "n seeds".
func seeds(n int) string {
	if n == 1 {
		return "1 seed"
	}
	return fmt.Sprintf("%d seeds", n)
}

// RetrainedTable tabulates a definition with retraining (claims.RetrainedRows).
func (r *results) RetrainedTable(def string) (string, error) {
	return table(claims.RetrainedRows(r.pts[def]))
}

// StartTable begins a table written row by row with Row; EndTable renders it.
func (r *results) StartTable(header ...string) string {
	r.table = [][]string{header}
	return ""
}

// Row adds a row to the table begun by StartTable.
func (r *results) Row(cells ...string) string {
	r.table = append(r.table, cells)
	return ""
}

// EndTable renders the table begun by StartTable.
func (r *results) EndTable() (string, error) {
	t := r.table
	r.table = nil
	if len(t) == 0 {
		return "", fmt.Errorf("EndTable without StartTable")
	}
	return table(t[0], t[1:])
}

func table(header []string, rows [][]string) (string, error) {
	var b bytes.Buffer
	err := report.MarkdownTable(&b, header, rows)
	return b.String(), err
}

// embedMarkdown returns a generated markdown file for inclusion under a
// level-2 heading: its title dropped, its sections made level 3.
func embedMarkdown(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var out []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		switch {
		case i == 0 && strings.HasPrefix(line, "# "):
			continue
		case strings.HasPrefix(line, "#"):
			line = "#" + line
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n", nil
}

// mdFuncs are the template's functions: the claims computations and the
// formats of numbers. Fractions print as percentages.
var mdFuncs = template.FuncMap{
	"fig1a": func(pts []report.Point, lo, hi float64) struct{ Below, Worst, N int } {
		b, w, n := claims.Fig1a(pts, lo, hi)
		return struct{ Below, Worst, N int }{b, w, n}
	},
	"fig1b": claims.Fig1b,
	"fig2": func(pts []report.Point, f float64) struct{ At, Dense, Diff report.Stat } {
		a, d, df := claims.Fig2(pts, f)
		return struct{ At, Dense, Diff report.Stat }{a, d, df}
	},
	// belowMagnitude is claims.BelowMagnitude with the lowest and highest
	// level of method's sweep.
	"belowMagnitude": func(pts []report.Point, m string) struct {
		Below, N int
		Lo, Hi   float64
	} {
		b, n := claims.BelowMagnitude(pts, m)
		c := claims.Curve(pts, m, "", false, claims.TestError)
		lo, hi := math.NaN(), math.NaN()
		if len(c) > 1 {
			lo, hi = c[1].Fraction, c[len(c)-1].Fraction
		}
		return struct {
			Below, N int
			Lo, Hi   float64
		}{b, n, lo, hi}
	},
	"retrainedAt": claims.RetrainedAt,
	// dBFrom phrases a difference in dB against a reference: "3.3 dB
	// above" or "0.4 dB below".
	"dBFrom": func(db float64) string {
		if db < 0 {
			return fmt.Sprintf("%.1f dB below", -db)
		}
		return fmt.Sprintf("%.1f dB above", db)
	},
	// endOfChain is claims.EndOfChain: where an iterative sweep's chains
	// end, and how many retraining steps ran the whole cap.
	"endOfChain": claims.EndOfChain,
	// chooseSetting is claims.ChooseSetting over the labels of the method
	// named name (claims.Family), before retraining: OBS's damping chosen
	// on validation error. Method is "" when nothing could be chosen.
	"chooseSetting": func(pts []report.Point, name string) chosenSetting {
		labels := claims.Family(pts, name)
		s, best, ok := claims.ChooseSetting(pts, labels, false)
		c := chosenSetting{Settings: s}
		if ok {
			c.Setting = s[best]
			c.Edge = len(s) > 1 && (best == 0 || best == len(s)-1)
		}
		return c
	},
	// ordered is claims.Ordered with the measure named m (claims.Measures):
	// the levels from lo to hi at which m's means strictly decrease along
	// methods, before retraining.
	"ordered": func(pts []report.Point, scope, m string, lo, hi float64, methods ...string) (claims.Order, error) {
		f, ok := claims.Measures[m]
		if !ok {
			return claims.Order{}, fmt.Errorf("no measure %q", m)
		}
		return claims.Ordered(pts, scope, false, f, lo, hi, methods...)
	},
	// orderedRetrained is ordered after retraining.
	"orderedRetrained": func(pts []report.Point, scope, m string, lo, hi float64, methods ...string) (claims.Order, error) {
		f, ok := claims.Measures[m]
		if !ok {
			return claims.Order{}, fmt.Errorf("no measure %q", m)
		}
		return claims.Ordered(pts, scope, true, f, lo, hi, methods...)
	},
	// firstOr is the first of a list, or def when it is empty.
	"firstOr": func(l []string, def string) string {
		if len(l) == 0 {
			return def
		}
		return l[0]
	},
	"cutOff":      claims.CutOff,
	"workSeconds": claims.WorkSeconds,
	// firstLevel is the lowest of a list of deleted fractions.
	"firstLevel": func(fs []float64) (float64, error) {
		if len(fs) == 0 {
			return 0, fmt.Errorf("no levels")
		}
		return slices.Min(fs), nil
	},
	// cutOffLevels lists the deleted fractions at which every seed's net
	// of method and scope, before or after retraining, is cut off from its
	// output.
	"cutOffLevels": func(pts []report.Point, method, scope string, retrained bool) []float64 {
		var fs []float64
		for _, c := range claims.CutOff(pts) {
			if c.Method == method && c.Scope == scope && c.Retrained == retrained && c.Seeds == c.Of {
				fs = append(fs, c.Fraction)
			}
		}
		return fs
	},
	"bestRetrained": func(pts []report.Point, f float64) (claims.Pair, error) {
		p, _, ok := claims.BestRetrainedAt(pts, f)
		if !ok {
			return p, fmt.Errorf("no retrained point at %v", f)
		}
		return p, nil
	},
	"underestimate": claims.Underestimate,
	"at": func(c []claims.Level, f float64) (claims.Level, error) {
		l, ok := claims.At(c, f)
		if !ok {
			return l, fmt.Errorf("no level at %v", f)
		}
		return l, nil
	},
	"lastWithin": claims.LastWithin,
	"clearlyBelowFrom": func(a, b []claims.Level, factor float64) (float64, error) {
		f, ok := claims.ClearlyBelowFrom(a, b, factor)
		if !ok {
			return f, fmt.Errorf("no level from which one curve stays clearly below the other")
		}
		return f, nil
	},
	"clearlyBelow": claims.ClearlyBelow,
	// chainEndDiff is claims.ChainEndDiff with its count as Lower.
	"chainEndDiff": func(a, b []report.Point, method, scope string) struct {
		report.Stat
		Lower int
	} {
		d, lower := claims.ChainEndDiff(a, b, method, scope)
		return struct {
			report.Stat
			Lower int
		}{d, lower}
	},
	"denseOutliers": claims.DenseOutliers,
	// outlierFactor is claims.OutlierFactor, the factor DenseOutliers uses.
	"outlierFactor": func() float64 { return claims.OutlierFactor },
	// outlierMinSeeds is claims.OutlierMinSeeds.
	"outlierMinSeeds": func() int { return claims.OutlierMinSeeds },
	"versus":          versus,
	"aboveFrom": func(c []claims.Level, x float64) (float64, error) {
		f, ok := claims.AboveFrom(c, x)
		if !ok {
			return f, fmt.Errorf("no level from which the curve stays above %v", x)
		}
		return f, nil
	},
	"spreadAbove": claims.SpreadAbove,
	"except":      claims.Except,
	"abs":         math.Abs,
	// definition is a shipped definition, for the settings a protocol
	// states (its retraining epochs and rate, say).
	"definition": load,
	// nonzero says whether a count is above zero.
	"nonzero": func(n int) bool { return n > 0 },
	// several says whether a count is above one.
	"several": func(n int) bool { return n > 1 },
	// upTo keeps the levels of fs up to hi (within claims.Tol).
	"upTo": func(fs []float64, hi float64) []float64 {
		var out []float64
		for _, f := range fs {
			if f <= hi+claims.Tol {
				out = append(out, f)
			}
		}
		return out
	},
	// ratioLevels lists the levels of Fig. 1b's ratios.
	"ratioLevels": func(rs []claims.Ratio) []float64 {
		var fs []float64
		for _, r := range rs {
			fs = append(fs, r.Fraction)
		}
		return fs
	},
	"agreeing": claims.Agreeing,
	// layerParams is the number of free parameters of the layer named
	// layer of network name.
	"layerParams": func(name, layer string) (int, error) {
		n, err := model.ByName(name)
		if err != nil {
			return 0, err
		}
		for i, l := range n.Layers {
			if l.Name() == layer {
				return n.Offset(i+1) - n.Offset(i), nil
			}
		}
		return 0, fmt.Errorf("%s has no layer %q", name, layer)
	},
	"first": func(rs []claims.Ratio) (claims.Ratio, error) {
		if len(rs) == 0 {
			return claims.Ratio{}, fmt.Errorf("no ratios")
		}
		return rs[0], nil
	},
	"last": func(rs []claims.Ratio) (claims.Ratio, error) {
		if len(rs) == 0 {
			return claims.Ratio{}, fmt.Errorf("no ratios")
		}
		return rs[len(rs)-1], nil
	},
	"floats":    func(xs ...float64) []float64 { return xs },
	"fractions": func(xs ...float64) []float64 { return xs },
	// dict builds a map from key–value pairs, to pass several values to a
	// template called by render.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict of %d arguments", len(kv))
		}
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"below":       claims.Below,
	"withinNoise": claims.WithinNoise,
	"meets":       claims.Meets,
	// judge is claims.Judge as a string: held, not held or not run.
	"judge": func(have, ok bool) string { return string(claims.Judge(have, ok)) },
	"agreeTo": func(rs []claims.Ratio, hi, tol float64) struct{ OK, Have bool } {
		ok, have := claims.AgreeTo(rs, hi, tol)
		return struct{ OK, Have bool }{ok, have}
	},
	// chooseRetrained is claims.ChooseRetrained with its ok as OK.
	"chooseRetrained": func(pts []report.Point, method string) struct {
		claims.ChosenLevel
		OK bool
	} {
		c, ok := claims.ChooseRetrained(pts, method)
		return struct {
			claims.ChosenLevel
			OK bool
		}{c, ok}
	},
	"embed":    embedMarkdown,
	"net":      model.ByName,
	"describe": func(xs []float64) report.Stat { return report.Describe(xs) },
	"sub":      func(a, b float64) float64 { return a - b },
	"add":      func(a, b float64) float64 { return a + b },
	"div":      func(a, b float64) float64 { return a / b },
	"mulInt":   func(a, b int) int { return a * b },
	"addInt":   func(a, b int) int { return a + b },
	// cond is a if c, else b.
	"cond": func(c bool, a, b any) any {
		if c {
			return a
		}
		return b
	},
	// concat joins lists of strings.
	"concat": func(ls ...[]string) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l...)
		}
		return out
	},
	"family":  claims.Family,
	"subInt":  func(a, b int) int { return a - b },
	"trimSVG": func(s string) string { return strings.TrimSuffix(filepath.Base(s), ".svg") },
	"join":    filepath.Join,
	"dir":     filepath.Dir,
	"list":    func(xs ...string) []string { return xs },
	"items":   func(xs ...any) []any { return xs },

	// pct formats a fraction as a percentage with two decimals: 0.0193 → 1.93%.
	"pct": func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) },
	// pct1 is pct with one decimal (targets like 1.7%).
	"pct1": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	// level formats a deleted fraction: 0.75 → 75%.
	"level": claims.LevelLabel,
	// levels formats deleted fractions as a list: 50%, 75% and 90%.
	"levels": levelList,
	// pctNum is pct without decimals and without the sign: 0.603 → 60.
	"pctNum": func(f float64) string { return fmt.Sprintf("%.0f", 100*f) },
	// points formats a difference of fractions in percentage points: 0.0043 → 0.43.
	"points": func(f float64) string { return fmt.Sprintf("%.2f", 100*f) },
	// points1 is points with one decimal: 0.002 → 0.2.
	"points1": func(f float64) string { return fmt.Sprintf("%.1f", 100*f) },
	// signed1 is points with a sign and one decimal: +0.2.
	"signed1": func(f float64) string { return fmt.Sprintf("%+.1f", 100*f) },
	// signed is points with a sign: +0.43.
	"signed": func(f float64) string { return fmt.Sprintf("%+.2f", 100*f) },
	// pm formats a Stat of fractions: 1.93 ± 0.06% (3 seeds), – when empty.
	"pm": func(s report.Stat) string {
		if s.N == 0 {
			return "–"
		}
		if s.N == 1 {
			// One seed has no spread: a ± 0.00 would claim one.
			return fmt.Sprintf("%.2f%% (1 seed)", 100*s.Mean)
		}
		return fmt.Sprintf("%.2f ± %.2f%% (%d seeds)", 100*s.Mean, 100*s.Std, s.N)
	},
	// comma formats a count with thousands separators: 10000 → 10,000.
	"comma": func(n int) string {
		s := fmt.Sprint(n)
		for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	},
	"f0": func(x float64) string { return fmt.Sprintf("%.0f", x) },
	"f1": func(x float64) string { return fmt.Sprintf("%.1f", x) },
	"f2": func(x float64) string { return fmt.Sprintf("%.2f", x) },
	"g":  func(x float64) string { return fmt.Sprintf("%g", x) },
	// g3 is x to three significant digits: 0.42692 → 0.427.
	"g3": func(x float64) string { return fmt.Sprintf("%.3g", x) },
	// hours formats seconds as hours with one decimal.
	"hours": func(s float64) string { return fmt.Sprintf("%.1f hours", s/3600) },
	// minutes formats seconds as whole minutes.
	"minutes": func(s float64) string { return fmt.Sprintf("%.0f minutes", s/60) },
	// words spells a count from zero to twelve, digits beyond.
	"words": func(n int) string {
		w := strings.Fields("zero one two three four five six seven eight nine ten eleven twelve")
		if n >= 0 && n < len(w) {
			return w[n]
		}
		return fmt.Sprint(n)
	},
	// plural is noun, in the plural unless n is 1.
	"plural": func(n int, noun string) string {
		if n == 1 {
			return noun
		}
		return noun + "s"
	},
	"andList": and,
	// title capitalises the first letter.
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
}

// and joins words as a list: "a", "a and b", "a, b and c".
// levelList formats deleted fractions as a list: 50%, 75% and 90%.
func levelList(fs []float64) string {
	var s []string
	for _, f := range fs {
		s = append(s, claims.LevelLabel(f))
	}
	return and(s)
}

// versus compares curve a with curve b, named other, level by level
// (dense excluded), counting only clear differences (claims.ClearlyBelow,
// claims.WithinNoise): with other "magnitude's", "clearly below
// magnitude's at 90% and 95%, clearly above it at 10%, and within noise of
// it at 50% and 75%", leaving out the empty parts; "" when the curves
// share no level.
func versus(a, b []claims.Level, other string) string {
	var parts []string
	for _, p := range []struct {
		what string
		fs   []float64
	}{
		{"clearly below", claims.ClearlyBelow(a, b)},
		{"clearly above", claims.ClearlyBelow(b, a)},
		{"within noise of", claims.WithinNoise(a, b)},
	} {
		if len(p.fs) == 0 {
			continue
		}
		name := other
		if len(parts) > 0 {
			name = "it"
		}
		parts = append(parts, p.what+" "+name+" at "+levelList(p.fs))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}

func and(s []string) string {
	switch len(s) {
	case 0:
		return "none"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
