package claims

import (
	"fmt"
	"strconv"
	"strings"
)

// A Table is a Markdown table as read back from a generated file.
type Table struct {
	Header []string
	Rows   [][]string
}

// ParseTables returns the pipe tables of a Markdown text, in order: a
// header line, a delimiter line of dashes and colons, then rows until the
// first line that does not start with "|".
func ParseTables(text string) []Table {
	lines := strings.Split(text, "\n")
	cells := func(l string) []string {
		l = strings.TrimSpace(l)
		l = strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|")
		var cs []string
		for _, c := range strings.Split(l, "|") {
			cs = append(cs, strings.TrimSpace(c))
		}
		return cs
	}
	var ts []Table
	for i := 0; i+1 < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), "|") || strings.Trim(strings.TrimSpace(lines[i+1]), "|:- ") != "" ||
			!strings.HasPrefix(strings.TrimSpace(lines[i+1]), "|") {
			continue
		}
		t := Table{Header: cells(lines[i])}
		j := i + 2
		for ; j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "|"); j++ {
			t.Rows = append(t.Rows, cells(lines[j]))
		}
		ts = append(ts, t)
		i = j - 1
	}
	return ts
}

// Column returns the values of column name in rows whose first cell is
// one of keys (all rows when keys is empty), parsed as numbers (a trailing
// "×" or "%" dropped, the number kept as written), in row order; an
// unknown column or a cell that is not a number is an error.
func (t Table) Column(name string, keys ...string) ([]float64, error) {
	c := -1
	for i, h := range t.Header {
		if h == name {
			c = i
		}
	}
	if c < 0 {
		return nil, fmt.Errorf("no column %q in table %q", name, strings.Join(t.Header, " | "))
	}
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	var xs []float64
	for _, r := range t.Rows {
		if len(keys) > 0 && !want[r[0]] {
			continue
		}
		if c >= len(r) {
			return nil, fmt.Errorf("row %q: no column %q", r[0], name)
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(r[c], "×"), "%"), 64)
		if err != nil {
			return nil, fmt.Errorf("row %q, column %q: %w", r[0], name, err)
		}
		xs = append(xs, v)
	}
	return xs, nil
}
