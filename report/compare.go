package report

import (
	"fmt"
	"math"
	"strings"
)

// Difference is the largest disagreement in one column between a
// reference set of points and a new one.
type Difference struct {
	Column string
	// Ref and Got are the two values, as points.csv writes them, where the
	// absolute difference is largest (for a non-numeric column, the first
	// that differs).
	Ref, Got string
	Abs      float64 // |Got − Ref| (+Inf for a non-numeric column)
	Where    string  // the row: method/scope seed N step K [retrained]
}

// Comparison is the outcome of Compare.
type Comparison struct {
	Rows        int      // rows present in both
	Missing     []string // rows of the reference that the new points lack
	Extra       []string // rows of the new points that the reference lacks
	Differences []Difference
	// Unrecorded are the columns the reference leaves empty (it predates
	// them) where the new points have values: not compared.
	Unrecorded []string
}

// Identical says whether the new points reproduce the reference exactly,
// to the digits points.csv writes.
func (c Comparison) Identical() bool {
	return len(c.Missing) == 0 && len(c.Extra) == 0 && len(c.Differences) == 0
}

// String says "identical to the reference", or lists the rows that do not
// pair up and, per column, the largest difference and where it is.
func (c Comparison) String() string {
	if c.Identical() {
		if len(c.Unrecorded) > 0 {
			return fmt.Sprintf("identical to the reference (%d rows; not in the reference, so not compared: %s)",
				c.Rows, strings.Join(c.Unrecorded, ", "))
		}
		return fmt.Sprintf("identical to the reference (%d rows)", c.Rows)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "differs from the reference (%d rows in both", c.Rows)
	if len(c.Missing) > 0 {
		fmt.Fprintf(&b, "; %d missing, first %s", len(c.Missing), c.Missing[0])
	}
	if len(c.Extra) > 0 {
		fmt.Fprintf(&b, "; %d new, first %s", len(c.Extra), c.Extra[0])
	}
	b.WriteString(")")
	for _, d := range c.Differences {
		fmt.Fprintf(&b, "\n  %s: largest difference %.3g at %s (reference %s, now %s)", d.Column, d.Abs, d.Where, d.Ref, d.Got)
	}
	if len(c.Unrecorded) > 0 {
		fmt.Fprintf(&b, "\n  not in the reference, so not compared: %s", strings.Join(c.Unrecorded, ", "))
	}
	return b.String()
}

// rowName names a point's row, as the unit and step it belongs to.
func rowName(p *Point) string {
	s := fmt.Sprintf("%s/%s seed %d step %d", p.Method, p.Scope, p.Seed, p.Step)
	if p.Retrained {
		s += " retrained"
	}
	return s
}

// Compare pairs the rows of ref and got by (method, scope, seed, step,
// retrained) and reports, per column, the largest difference of the
// values as points.csv writes them (ten significant digits), so that a
// rerun that reproduces the reference compares identical. A column the
// reference leaves empty (not recorded: a file older than the column) is
// not compared where the new points fill it, and is listed in Unrecorded.
func Compare(ref, got []Point) Comparison {
	var c Comparison
	index := map[string]int{}
	for i := range ref {
		index[rowName(&ref[i])] = i
	}
	paired := map[string]bool{}
	largest := map[int]*Difference{}
	unrecorded := map[int]bool{}
	for i := range got {
		name := rowName(&got[i])
		j, ok := index[name]
		if !ok {
			c.Extra = append(c.Extra, name)
			continue
		}
		paired[name] = true
		c.Rows++
		rc, gc := ref[j].cells(), got[i].cells()
		for k := range rc {
			rs, gs := formatCell(rc[k]), formatCell(gc[k])
			if rs == gs {
				continue
			}
			if rs == "" && optional(rc[k]) {
				unrecorded[k] = true
				continue
			}
			d := math.Inf(1)
			switch rv := rc[k].(type) {
			case *float64:
				d = math.Abs(*gc[k].(*float64) - *rv)
			case *optFloat:
				d = math.Abs(float64(*gc[k].(*optFloat)) - float64(*rv))
			case *int:
				d = math.Abs(float64(*gc[k].(*int) - *rv))
			case *optCount:
				if gs != "" { // else not recorded in got: no number to subtract
					d = math.Abs(float64(*gc[k].(*optCount) - *rv))
				}
			}
			if math.IsNaN(d) {
				d = math.Inf(1) // NaN on one side only
			}
			if l := largest[k]; l == nil || d > l.Abs {
				largest[k] = &Difference{Column: Columns[k], Ref: rs, Got: gs, Abs: d, Where: name}
			}
		}
	}
	for i := range ref {
		if name := rowName(&ref[i]); !paired[name] {
			c.Missing = append(c.Missing, name)
		}
	}
	for k := range Columns {
		if d := largest[k]; d != nil {
			c.Differences = append(c.Differences, *d)
		}
		if unrecorded[k] {
			c.Unrecorded = append(c.Unrecorded, Columns[k])
		}
	}
	return c
}

// optional says whether a cell may be empty: not recorded or not measured.
func optional(cell any) bool {
	switch cell.(type) {
	case *optCount, *optFloat:
		return true
	}
	return false
}
