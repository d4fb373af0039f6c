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
	}
}
