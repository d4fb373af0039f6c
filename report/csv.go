package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// cells lists pointers to the fields of p in the order of Columns, so that
// writing and reading share one definition of the column order.
func (p *Point) cells() []any {
	return []any{
		&p.Definition, &p.Network, &p.Method, &p.Scope, &p.Schedule, &p.Seed, &p.Step, &p.Retrained,
		&p.ParamsTotal, &p.ParamsRemaining, &p.FractionRemoved, &p.ConnectionsTotal, &p.ConnectionsRemaining,
		&p.TrainMSE, &p.TestMSE, &p.TrainError, &p.TestError, &p.PredictedDelta, (*optCount)(&p.LayersCutOff),
		(*optFloat)(&p.ValidMSE), (*optFloat)(&p.ValidError), (*optCount)(&p.RetrainEpochs),
	}
}

// optCount is a count that may be NotRecorded, written as an empty cell.
type optCount int

// optFloat is a measurement that may not have been made (NaN), written as
// an empty cell.
type optFloat float64

func formatCell(v any) string {
	switch v := v.(type) {
	case *optFloat:
		if math.IsNaN(float64(*v)) {
			return ""
		}
		return strconv.FormatFloat(float64(*v), 'g', 10, 64)
	case *optCount:
		if *v == NotRecorded {
			return ""
		}
		return strconv.Itoa(int(*v))
	case *string:
		return *v
	case *int:
		return strconv.Itoa(*v)
	case *uint64:
		return strconv.FormatUint(*v, 10)
	case *bool:
		return strconv.FormatBool(*v)
	case *float64:
		// Ten significant digits are far more than the measurements carry
		// and keep the file diffable across runs.
		return strconv.FormatFloat(*v, 'g', 10, 64)
	}
	panic(fmt.Sprintf("report: no format for %T", v))
}

func parseCell(dst any, s string) error {
	switch d := dst.(type) {
	case *optFloat:
		if s == "" {
			*d = optFloat(math.NaN())
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) {
			return fmt.Errorf("invalid number %q (want a number, or nothing: not measured)", s)
		}
		*d = optFloat(v)
	case *optCount:
		if s == "" {
			*d = NotRecorded
			return nil
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return fmt.Errorf("invalid count %q (want an integer ≥ 0, or nothing: not recorded)", s)
		}
		*d = optCount(v)
	case *string:
		*d = s
	case *int:
		v, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("invalid integer %q", s)
		}
		*d = v
	case *uint64:
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid unsigned integer %q", s)
		}
		*d = v
	case *bool:
		// Only what WriteCSV writes: "1" or "T" would mean someone edited
		// the file by hand or another tool wrote it.
		switch s {
		case "true", "false":
			*d = s == "true"
		default:
			return fmt.Errorf("invalid bool %q (want true or false)", s)
		}
	case *float64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("invalid number %q", s)
		}
		*d = v
	default:
		panic(fmt.Sprintf("report: no parser for %T", dst))
	}
	return nil
}

// WriteCSV writes the header Columns and then one row per point, in the
// order given. Floats carry ten significant digits; NaN is written as NaN.
func WriteCSV(w io.Writer, pts []Point) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	row := make([]string, len(Columns))
	for _, p := range pts {
		for i, c := range p.cells() {
			row[i] = formatCell(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV parses what WriteCSV wrote. It is strict, because a points file
// that does not say exactly what it should is a sign of a wrong or damaged
// file: the header must equal Columns, every row must have every column,
// and every error names the file (name), the line and the column.
//
// Older layouts are read too (olderLayouts: Columns without the columns
// appended since). Files written before layers_cut_off have LayersCutOff
// NotRecorded, and their connections_remaining counts every connection of
// an alive parameter, including those that can no longer reach the
// output. Files written before valid_mse, valid_error and retrain_epochs
// have ValidMSE and ValidError NaN and RetrainEpochs NotRecorded. A file
// with a count column must give every row a count ≥ 0 or an empty cell
// (not recorded, as WriteCSV writes NotRecorded).
func ReadCSV(name string, r io.Reader) ([]Point, error) {
	return readCSV(name, r, nil)
}

// readCSV is ReadCSV; with lines non-nil, it appends each point's line.
func readCSV(name string, r io.Reader, lines *[]int) ([]Point, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, with a better message
	cr.ReuseRecord = true
	wrap := func(err error) error {
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty, want the header %q", name, Columns)
	}
	if err != nil {
		return nil, wrap(err)
	}
	columns := Columns
	for _, l := range olderLayouts {
		if slices.Equal(header, l) {
			columns = l
		}
	}
	for i := range max(len(header), len(columns)) {
		switch {
		case i >= len(header):
			return nil, fmt.Errorf("%s:1: header: missing column %q", name, Columns[i])
		case i >= len(Columns):
			return nil, fmt.Errorf("%s:1: header: unexpected column %q", name, header[i])
		case header[i] != Columns[i]:
			return nil, fmt.Errorf("%s:1: header: column %d is %q, want %q", name, i+1, header[i], Columns[i])
		}
	}

	var pts []Point
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return pts, nil
		}
		if err != nil {
			return nil, wrap(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(columns) {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d", name, line, len(rec), len(columns))
		}
		p := Point{LayersCutOff: NotRecorded, ValidMSE: math.NaN(), ValidError: math.NaN(), RetrainEpochs: NotRecorded}
		for i, c := range p.cells()[:len(columns)] {
			if err := parseCell(c, rec[i]); err != nil {
				return nil, fmt.Errorf("%s:%d: column %s: %w", name, line, Columns[i], err)
			}
		}
		pts = append(pts, p)
		if lines != nil {
			*lines = append(*lines, line)
		}
	}
}

// ReadPoints reads a points file as ReadCSV does and then checks that it
// says what a sweep writes, so that a damaged or edited file is refused
// rather than drawn or summarised; every error names the file, the line
// and, for a value, the column. A row's counts and rates must be in range
// (0 ≤ params_remaining ≤ params_total, fraction_removed = 1 −
// params_remaining/params_total, error rates in [0, 1], objectives finite
// and ≥ 0, the validation columns both given or both empty, no retraining
// epochs before retraining). The file holds one network (its rows may
// name several definitions: a unit computed for one definition is reused
// by another with the same key). No row repeats another's unit (method,
// scope, seed), step and retrained, and each unit's rows share schedule
// and totals and hold every step from 0 to its last.
func ReadPoints(name string, r io.Reader) ([]Point, error) {
	var lines []int
	pts, err := readCSV(name, r, &lines)
	if err != nil {
		return nil, err
	}
	return pts, checkPoints(name, pts, lines)
}

// checkPoints is ReadPoints' check; lines[i] is the line of pts[i].
func checkPoints(name string, pts []Point, lines []int) error {
	type unitKey struct {
		method, scope string
		seed          uint64
	}
	type rowKey struct {
		unitKey
		step      int
		retrained bool
	}
	seen := map[rowKey]int{}
	first := map[unitKey]int{} // index of the unit's first row
	last := map[unitKey]int{}  // its last step
	var order []unitKey
	for i, p := range pts {
		line := lines[i]
		bad := func(col, format string, args ...any) error {
			return fmt.Errorf("%s:%d: column %s: %s", name, line, col, fmt.Sprintf(format, args...))
		}
		for _, c := range []struct{ col, v string }{{"definition", p.Definition}, {"network", p.Network},
			{"method", p.Method}, {"scope", p.Scope}, {"schedule", p.Schedule}} {
			if c.v == "" {
				return bad(c.col, "empty")
			}
		}
		switch {
		case p.Network != pts[0].Network:
			return bad("network", "%q, but line %d is of %q: one points file holds one network", p.Network, lines[0], pts[0].Network)
		case p.Step < 0:
			return bad("step", "%d < 0", p.Step)
		case p.Step == 0 && p.Retrained:
			return bad("retrained", "true at step 0, the dense net")
		case p.ParamsTotal <= 0:
			return bad("params_total", "%d: want at least 1", p.ParamsTotal)
		case p.ParamsRemaining < 0 || p.ParamsRemaining > p.ParamsTotal:
			return bad("params_remaining", "%d outside [0, %d] (params_total)", p.ParamsRemaining, p.ParamsTotal)
		case !(math.Abs(p.FractionRemoved-(1-float64(p.ParamsRemaining)/float64(p.ParamsTotal))) <= 1e-9):
			return bad("fraction_removed", "%v, but params_remaining %d of %d is %.10g removed", p.FractionRemoved,
				p.ParamsRemaining, p.ParamsTotal, 1-float64(p.ParamsRemaining)/float64(p.ParamsTotal))
		case p.ConnectionsTotal <= 0:
			return bad("connections_total", "%d: want at least 1", p.ConnectionsTotal)
		case p.ConnectionsRemaining < 0 || p.ConnectionsRemaining > p.ConnectionsTotal:
			return bad("connections_remaining", "%d outside [0, %d] (connections_total)", p.ConnectionsRemaining, p.ConnectionsTotal)
		case math.IsNaN(p.ValidMSE) != math.IsNaN(p.ValidError):
			return bad("valid_error", "the validation objective and error rate are given both or neither")
		case !p.Retrained && p.RetrainEpochs > 0:
			return bad("retrain_epochs", "%d on a point before retraining", p.RetrainEpochs)
		}
		for _, c := range []struct {
			col string
			v   float64
			opt bool
		}{{"train_mse", p.TrainMSE, false}, {"test_mse", p.TestMSE, false}, {"valid_mse", p.ValidMSE, true}} {
			if !(c.opt && math.IsNaN(c.v)) && !(c.v >= 0 && !math.IsInf(c.v, 0)) {
				return bad(c.col, "%v: want a finite objective ≥ 0", c.v)
			}
		}
		for _, c := range []struct {
			col string
			v   float64
			opt bool
		}{{"train_error", p.TrainError, false}, {"test_error", p.TestError, false}, {"valid_error", p.ValidError, true}} {
			if !(c.opt && math.IsNaN(c.v)) && !(c.v >= 0 && c.v <= 1) {
				return bad(c.col, "%v: want an error rate in [0, 1]", c.v)
			}
		}
		u := unitKey{p.Method, p.Scope, p.Seed}
		k := rowKey{u, p.Step, p.Retrained}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("%s:%d: %s/%s seed %d step %d (retrained %t) again, as on line %d",
				name, line, p.Method, p.Scope, p.Seed, p.Step, p.Retrained, j)
		}
		seen[k] = line
		j, ok := first[u]
		if !ok {
			first[u], last[u] = i, p.Step
			order = append(order, u)
			continue
		}
		q := pts[j]
		switch {
		case p.Schedule != q.Schedule:
			return bad("schedule", "%q, but line %d of the same unit says %q", p.Schedule, lines[j], q.Schedule)
		case p.ParamsTotal != q.ParamsTotal:
			return bad("params_total", "%d, but line %d of the same unit says %d", p.ParamsTotal, lines[j], q.ParamsTotal)
		case p.ConnectionsTotal != q.ConnectionsTotal:
			return bad("connections_total", "%d, but line %d of the same unit says %d", p.ConnectionsTotal, lines[j], q.ConnectionsTotal)
		}
		last[u] = max(last[u], p.Step)
	}
	for _, u := range order {
		for s := 0; s <= last[u]; s++ {
			if _, ok := seen[rowKey{u, s, false}]; !ok {
				if _, ok := seen[rowKey{u, s, true}]; !ok {
					return fmt.Errorf("%s: %s/%s seed %d has rows up to step %d but none of step %d: rows are missing",
						name, u.method, u.scope, u.seed, last[u], s)
				}
			}
		}
	}
	return nil
}
