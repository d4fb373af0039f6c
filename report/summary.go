package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// summaryHeader names the columns of the summary tables; the paragraph
// written before the tables defines them.
var summaryHeader = []string{
	"method", "scope", "step", "retrained", "removed %", "params remaining", "compression", "speedup", "cut off",
	"train objective", "test objective", "train error %", "test error %", "predicted Δ", "seeds",
}

// WriteSummary writes a Markdown report: the title, each note as a
// paragraph (failures, settings, caveats), then one table per network and
// schedule with a row per method, scope, retrained and step, described over
// seeds. Output depends only on the input, so that reruns can be diffed.
func WriteSummary(w io.Writer, title string, pts []Point, notes []string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", title)
	for _, n := range notes {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(n))
	}
	b.WriteString("Values are mean ± sample standard deviation over seeds. " +
		"*removed* is the fraction of parameters actually deleted; " +
		"*compression* is params_total / params_remaining and *speedup* connections_total / connections_remaining " +
		"(multiply-accumulates that can still reach the output, a theoretical figure); " +
		"*cut off* is the number of layers with no unit that both depends on the input and reaches an output " +
		"through alive connections: a row where it is not 0 (in bold, with the seeds it holds for if not all) " +
		"measures a net whose output no longer depends on its input, and – means the points file predates the count; " +
		"*predicted Δ* is the increase of the training objective predicted by the deleted saliencies.\n")
	if slices.ContainsFunc(pts, func(p Point) bool { return !math.IsNaN(p.ValidMSE) }) {
		b.WriteString("\n*valid objective* and *valid error %* are measured on the held-out validation images " +
			"(data.validation), on which settings are chosen; the test set is only reported.\n")
	}
	if len(retrainingEpochs(pts)) > 1 {
		b.WriteString("\n*retrain epochs* (where retraining stopped on a plateau in some rows and not in others) " +
			"is the mean number of epochs a retrained point's net was retrained for after its last deletion.\n")
	}

	type tableKey struct{ definition, network, schedule string }
	type rowKey struct {
		method, scope string
		retrained     bool
		step          int
	}
	tables := map[tableKey]map[rowKey][]Point{}
	definitions := map[string]bool{}
	for _, p := range pts {
		tk := tableKey{p.Definition, p.Network, p.Schedule}
		if tables[tk] == nil {
			tables[tk] = map[rowKey][]Point{}
		}
		rk := rowKey{p.Method, p.Scope, p.Retrained, p.Step}
		tables[tk][rk] = append(tables[tk][rk], p)
		definitions[p.Definition] = true
	}

	tkeys := mapKeys(tables)
	slices.SortFunc(tkeys, func(a, b tableKey) int {
		return cmp.Or(cmp.Compare(a.definition, b.definition), cmp.Compare(a.network, b.network),
			cmp.Compare(a.schedule, b.schedule))
	})
	for _, tk := range tkeys {
		fmt.Fprintf(&b, "\n## %s, %s", tk.network, tk.schedule)
		if len(definitions) > 1 {
			fmt.Fprintf(&b, " (%s)", tk.definition)
		}
		b.WriteString("\n\n")

		rows := tables[tk]
		rkeys := mapKeys(rows)
		slices.SortFunc(rkeys, func(a, b rowKey) int {
			return cmp.Or(cmp.Compare(a.method, b.method), cmp.Compare(a.scope, b.scope),
				compareBool(a.retrained, b.retrained), cmp.Compare(a.step, b.step))
		})
		// Optional columns: the validation set's numbers where it was
		// measured, the retraining epochs where they differ between
		// retrained points (a plateau rule stopped some early).
		var table []Point
		for _, g := range rows {
			table = append(table, g...)
		}
		hasValid := slices.ContainsFunc(table, func(p Point) bool { return !math.IsNaN(p.ValidMSE) })
		epochs := retrainingEpochs(table)
		header := slices.Clone(summaryHeader)
		if hasValid {
			header = slices.Insert(header, len(header)-2, "valid objective", "valid error %")
		}
		if len(epochs) > 1 {
			header = slices.Insert(header, len(header)-1, "retrain epochs")
		}
		var cells [][]string
		for _, rk := range rkeys {
			g := rows[rk]
			stat := func(f func(Point) float64) Stat {
				xs := make([]float64, len(g))
				for i, p := range g {
					xs[i] = f(p)
				}
				return Describe(xs)
			}
			removed := stat(func(p Point) float64 { return 100 * p.FractionRemoved })
			remaining := stat(func(p Point) float64 { return float64(p.ParamsRemaining) })
			compression := stat(func(p Point) float64 { return ratio(p.ParamsTotal, p.ParamsRemaining) })
			speedup := stat(func(p Point) float64 { return ratio(p.ConnectionsTotal, p.ConnectionsRemaining) })
			predicted := stat(func(p Point) float64 { return p.PredictedDelta })
			row := []string{
				rk.method, rk.scope, fmt.Sprint(rk.step), fmt.Sprint(rk.retrained),
				fmt.Sprintf("%.2f", removed.Mean),
				fmt.Sprintf("%.1f", remaining.Mean),
				fmt.Sprintf("%.2f", compression.Mean),
				fmt.Sprintf("%.2f", speedup.Mean),
				cutOff(g),
				pm("%.4g", stat(func(p Point) float64 { return p.TrainMSE })),
				pm("%.4g", stat(func(p Point) float64 { return p.TestMSE })),
				pm("%.2f", stat(func(p Point) float64 { return 100 * p.TrainError })),
				pm("%.2f", stat(func(p Point) float64 { return 100 * p.TestError })),
			}
			if hasValid {
				row = append(row, dashPM("%.4g", stat(func(p Point) float64 { return p.ValidMSE })),
					dashPM("%.2f", stat(func(p Point) float64 { return 100 * p.ValidError })))
			}
			row = append(row, dash(predicted.Mean))
			if len(epochs) > 1 {
				row = append(row, retrainEpochs(g))
			}
			cells = append(cells, append(row, fmt.Sprint(len(g))))
		}
		if err := MarkdownTable(&b, header, cells); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// cutOff flags a row whose nets have layers cut off: the largest count
// over seeds in bold, with how many seeds have any when not all do; "–"
// when a point did not record it.
func cutOff(g []Point) string {
	most, seeds := 0, 0
	for _, p := range g {
		if p.LayersCutOff == NotRecorded {
			return "–"
		}
		most = max(most, p.LayersCutOff)
		if p.LayersCutOff > 0 {
			seeds++
		}
	}
	switch {
	case most == 0:
		return "0"
	case seeds < len(g):
		return fmt.Sprintf("**%d** (%d of %d seeds)", most, seeds, len(g))
	}
	return fmt.Sprintf("**%d**", most)
}

// retrainingEpochs returns the set of recorded retraining epochs of the
// retrained points.
func retrainingEpochs(pts []Point) map[int]bool {
	epochs := map[int]bool{}
	for _, p := range pts {
		if p.Retrained && p.RetrainEpochs > 0 {
			epochs[p.RetrainEpochs] = true
		}
	}
	return epochs
}

// retrainEpochs is the mean retraining epochs of a row's points, "–" when
// not retrained or not recorded.
func retrainEpochs(g []Point) string {
	sum := 0
	for _, p := range g {
		if !p.Retrained || p.RetrainEpochs == NotRecorded {
			return "–"
		}
		sum += p.RetrainEpochs
	}
	return fmt.Sprintf("%.1f", float64(sum)/float64(len(g)))
}

// dashPM is pm, or "–" for a quantity not measured (NaN).
func dashPM(format string, s Stat) string {
	if math.IsNaN(s.Mean) {
		return "–"
	}
	return pm(format, s)
}

func pm(format string, s Stat) string {
	return fmt.Sprintf(format+" ± "+format, s.Mean, s.Std)
}

// dash marks a quantity that does not apply (predicted Δ of a method that
// has no saliencies) rather than printing NaN.
func dash(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.4g", v)
}

// ratio is +Inf when nothing remains, which is what the ratio means.
func ratio(total, remaining int) float64 {
	return float64(total) / float64(remaining)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func mapKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// MarkdownTable renders a GitHub-flavoured Markdown table with
// tablewriter, headers as given.
func MarkdownTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}
