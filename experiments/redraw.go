package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"obd/study"
)

// redraw writes figures/ and summary.md of the results OUT/NAME again from
// their points.csv and manifest.json (study.Redraw): of each name given,
// else of every directory of OUT that holds both. It trains nothing and
// needs no unit, so the committed results can be redrawn after a change of
// the figures.
func redraw(o options, stdout io.Writer) error {
	out := o.out
	if out == "" {
		out = "results"
	}
	dirs, err := resultDirs(out, o.names)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := study.Redraw(d); err != nil {
			return fmt.Errorf("redraw %s: %w", d, err)
		}
		fmt.Fprintln(stdout, "redrew", d)
	}
	return nil
}

// resultDirs returns OUT/NAME for each name, or, without names, every
// directory of out holding a manifest.json and a points.csv, sorted.
func resultDirs(out string, names []string) ([]string, error) {
	if len(names) > 0 {
		var dirs []string
		for _, n := range names {
			d := filepath.Join(out, n)
			if !isResult(d) {
				return nil, fmt.Errorf("%s: no manifest.json and points.csv to redraw from", d)
			}
			dirs = append(dirs, d)
		}
		return dirs, nil
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if d := filepath.Join(out, e.Name()); e.IsDir() && isResult(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: no results (a directory with manifest.json and points.csv) to redraw", out)
	}
	return dirs, nil
}

func isResult(dir string) bool {
	for _, f := range []string{"manifest.json", "points.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}
