package claims

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"obd/datasets"
	"obd/model"
	"obd/study"
)

// mnistClasses is the number of classes of every network of the baselines
// files: MNIST's ten digits.
const mnistClasses = 10

// A Baseline is one row of results/baselines/baselines.csv: a dense net
// trained by one recipe (definition) for one seed.
type Baseline struct {
	Definition, Network, Seed string
	Epochs                    int     // 0 when the file has no epochs column
	TrainError, TestError     float64 // fractions; TrainError NaN when absent
	SecondsPerEpoch           float64 // NaN when absent
	DigitSize                 int     // 0: MNIST's digits as shipped
	// ValidN is the number of held-out validation images (data.validation)
	// and ValidError the error rate on them; 0 and NaN when the row's
	// definition holds none out (an empty cell) or the file predates them.
	ValidN     int
	ValidError float64
	// ValidLoss is the mean objective on the held-out images (valid_loss);
	// NaN when absent.
	ValidLoss float64
	// DidNotLearn is why the training did not learn (did_not_learn, the
	// rule of study.ErrDidNotLearn); empty when it learned. In a file that
	// predates the column, only the rule's error branch can be applied
	// (the initial objective was not recorded): a row whose training error
	// is at chance level is marked on reading. Such a row says what was
	// tried; it is no candidate for a choice.
	DidNotLearn string
}

// ParseBaselines reads baselines.csv from r (file names it in errors). It
// returns the rows and the records as read, header first. A missing
// required column (definition, network, seed, test_error), a ragged row or
// a test error that is not a fraction in [0, 1] is an error naming file,
// line and field. The validation columns (valid_n, valid_error) may be
// empty: no validation set. The did_not_learn column is optional; without
// it, a row at chance level is marked (DidNotLearn). A number that is NaN
// or out of range, an unknown network, a params count other than the
// network's, train_n or test_n beyond MNIST's files, and a definition and
// seed given twice are errors too.
func ParseBaselines(file string, r io.Reader) ([]Baseline, [][]string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", file)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"definition", "network", "seed", "test_error"} {
		if _, ok := col[h]; !ok {
			return nil, nil, fmt.Errorf("%s: line 1: no column %q", file, h)
		}
	}
	num := func(line int, rec []string, h string, lo, hi float64) (float64, error) {
		i, ok := col[h]
		if !ok || rec[i] == "" && strings.HasPrefix(h, "valid_") {
			return nanValue, nil
		}
		v, err := strconv.ParseFloat(rec[i], 64)
		if h == "valid_loss" && math.IsNaN(v) {
			return v, nil // the objective of a net that did not learn may be NaN, as train_loss and test_loss (not read)
		}
		if err != nil || !(v >= lo && v <= hi) { // NaN too
			return 0, fmt.Errorf("%s: line %d: %s %q: want a number in [%g, %g]", file, line, h, rec[i], lo, hi)
		}
		return v, nil
	}
	var rows []Baseline
	seen := map[string]int{} // definition and seed: line
	for i, rec := range recs[1:] {
		line := i + 2
		e, err := strconv.ParseFloat(rec[col["test_error"]], 64)
		if err != nil || !(e >= 0 && e <= 1) { // NaN too
			return nil, nil, fmt.Errorf("%s: line %d: test_error %q: want a fraction in [0, 1]", file, line, rec[col["test_error"]])
		}
		row := Baseline{Definition: rec[col["definition"]], Network: rec[col["network"]], Seed: rec[col["seed"]], TestError: e}
		net, err := model.ByName(row.Network)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: line %d: network: %w", file, line, err)
		}
		if _, err := strconv.ParseUint(row.Seed, 10, 64); err != nil {
			return nil, nil, fmt.Errorf("%s: line %d: seed %q: want an integer ≥ 0", file, line, row.Seed)
		}
		if j, ok := seen[row.Definition+"\x00"+row.Seed]; ok {
			return nil, nil, fmt.Errorf("%s: line %d: %s seed %s again, as on line %d", file, line, row.Definition, row.Seed, j)
		}
		seen[row.Definition+"\x00"+row.Seed] = line
		if params, err := num(line, rec, "params", 0, inf); err != nil {
			return nil, nil, err
		} else if params == params && int(params) != net.NumParams() {
			return nil, nil, fmt.Errorf("%s: line %d: params %q, but %s has %d", file, line, rec[col["params"]], net.Name, net.NumParams())
		}
		trainN, err := num(line, rec, "train_n", 1, datasets.TrainN)
		if err != nil {
			return nil, nil, err
		}
		if _, err := num(line, rec, "test_n", 1, datasets.TestN); err != nil {
			return nil, nil, err
		}
		if row.TrainError, err = num(line, rec, "train_error", 0, 1); err != nil {
			return nil, nil, err
		}
		if row.SecondsPerEpoch, err = num(line, rec, "seconds_per_epoch", 0, inf); err != nil {
			return nil, nil, err
		}
		ep, err := num(line, rec, "epochs", 0, inf)
		if err != nil {
			return nil, nil, err
		}
		ds, err := num(line, rec, "digit_size", 0, inf)
		if err != nil {
			return nil, nil, err
		}
		if row.ValidError, err = num(line, rec, "valid_error", 0, 1); err != nil {
			return nil, nil, err
		}
		if row.ValidLoss, err = num(line, rec, "valid_loss", 0, inf); err != nil {
			return nil, nil, err
		}
		vn, err := num(line, rec, "valid_n", 0, inf)
		if err != nil {
			return nil, nil, err
		}
		if ep == ep { // not NaN
			row.Epochs = int(ep)
		}
		if vn == vn {
			row.ValidN = int(vn)
			if trainN == trainN && trainN+vn > datasets.TrainN {
				return nil, nil, fmt.Errorf("%s: line %d: train_n %s and valid_n %s are more than MNIST's %d training images", file, line,
					rec[col["train_n"]], rec[col["valid_n"]], datasets.TrainN)
			}
		}
		if ds == ds {
			row.DigitSize = int(ds)
		}
		if i, ok := col["did_not_learn"]; ok {
			row.DidNotLearn = rec[i]
		} else if lim := study.MaxDenseErrorRate(mnistClasses); row.TrainError >= lim {
			row.DidNotLearn = fmt.Sprintf("training error %.1f%%, at chance level (≥ %.0f%% of %d classes); "+
				"marked on reading: the file predates the did_not_learn column", 100*row.TrainError, 100*lim, mnistClasses)
		}
		rows = append(rows, row)
	}
	return rows, recs, nil
}

// BaselineOf returns the row of definition def; ok is false when there is none.
func BaselineOf(rows []Baseline, def string) (Baseline, bool) {
	for _, b := range rows {
		if b.Definition == def {
			return b, true
		}
	}
	return Baseline{}, false
}

// BestBaseline is the row of network with the lowest test error and the
// number of network's rows (0 when there is none). It is a selection on
// the test set: ChosenOnValidation is the rule for choosing a recipe.
func BestBaseline(rows []Baseline, network string) (best Baseline, n int) {
	for _, b := range rows {
		if b.Network != network {
			continue
		}
		if n == 0 || b.TestError < best.TestError {
			best = b
		}
		n++
	}
	return best, n
}

// ChosenOnValidation is the row of network whose recipe validation
// chose: among the first row of each of network's definitions (its first
// seed, the one every recipe was run with) that measured a validation
// error and learned, the one with the lowest. A recipe whose first seed did
// not learn (DidNotLearn) is no candidate. Error rates on a few thousand
// images tie often (they count errors); a tie goes to the lower validation
// objective (valid_loss), still measured on the held-out images, and only
// then, or when a row has no objective, to the earlier row. n is the number
// of candidates compared (0: none). Recipes measured on held-out sets of
// different sizes are not comparable: that is an error.
func ChosenOnValidation(rows []Baseline, network string) (chosen Baseline, n int, err error) {
	seen := map[string]bool{}
	for _, b := range rows {
		if b.Network != network || seen[b.Definition] {
			continue
		}
		seen[b.Definition] = true
		if math.IsNaN(b.ValidError) || b.DidNotLearn != "" {
			continue
		}
		if n > 0 && b.ValidN != chosen.ValidN {
			return Baseline{}, 0, fmt.Errorf("%s: %s holds out %d validation images, %s %d: not comparable",
				network, chosen.Definition, chosen.ValidN, b.Definition, b.ValidN)
		}
		if n == 0 || b.ValidError < chosen.ValidError || b.ValidError == chosen.ValidError && b.ValidLoss < chosen.ValidLoss {
			chosen = b
		}
		n++
	}
	return chosen, n, nil
}

// Meets reports whether an error meets a target "at most target", with a
// margin for the rounding of numbers read from text.
func Meets(err, target float64) bool { return err <= target+1e-12 }
