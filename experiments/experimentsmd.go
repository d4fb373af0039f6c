package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/template"

	"obd/claims"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/report"
	"obd/study"
)

// experimentsTemplate is EXPERIMENTS.md's source: prose written by people,
// every number in it a template action over the results. A template
// rather than EXPERIMENTS.md with generated blocks between markers,
// because the prose quotes numbers inside its sentences, where an action
// can stand and a marker block cannot (the template's header says more).
// This file is wiring only: load the results, execute the template (whose
// actions call package claims through results and mdFuncs, mdfuncs.go),
// write the document.
//
//go:embed EXPERIMENTS.md.tmpl
var experimentsTemplate string

// experimentsMD writes EXPERIMENTS.md to path from the results in OUT
// (results/ by default): it loads them, executes the embedded template
// over them and writes the document atomically. A broken result file is an
// error naming it, and nothing is written.
func experimentsMD(o options, path string) error {
	out := o.out
	if out == "" {
		out = "results"
	}
	b, err := renderExperiments(out)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s from %s\n", path, out)
	return nil
}

// renderExperiments returns EXPERIMENTS.md as made from the results in out.
func renderExperiments(out string) ([]byte, error) {
	d, err := loadResults(out, shippedNames())
	if err != nil {
		return nil, err
	}
	t, err := parseExperimentsTemplate()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// parseExperimentsTemplate parses the embedded template with mdFuncs and
// render, which executes one of its named templates to a string (a table
// cell, say).
func parseExperimentsTemplate() (*template.Template, error) {
	t := template.New("EXPERIMENTS.md.tmpl").Option("missingkey=error").Funcs(mdFuncs)
	t.Funcs(template.FuncMap{"render": func(name string, data any) (string, error) {
		var b bytes.Buffer
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}})
	return t.Parse(experimentsTemplate)
}

// loadResults reads what EXPERIMENTS.md is made from: each definition's
// points.csv and manifest.json, results/baselines/baselines.csv, each
// network's results/baselines-<network>/baselines.csv (ValidBaselinesFile),
// the Hessian-gap report and the benchmarks. Files that do not exist are
// left out (the document says "not run"); files that exist and do not
// parse are an error.
func loadResults(out string, defs []string) (*results, error) {
	r := &results{Out: out, Defs: defs, pts: map[string][]report.Point{}, manifests: map[string]claims.Manifest{},
		validBase: map[string][]claims.Baseline{}}
	read := func(path string, parse func(*os.File) error) error {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		return parse(f)
	}
	for _, def := range defs {
		var pointsSum string
		if err := read(r.file(def), func(f *os.File) error {
			b, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			pointsSum = study.PointsSum(b)
			pts, err := report.ReadPoints(r.file(def), bytes.NewReader(b))
			r.pts[def] = pts
			return err
		}); err != nil {
			return nil, err
		}
		mf := filepath.Join(out, def, "manifest.json")
		if err := read(mf, func(f *os.File) error {
			m, err := claims.ParseManifest(mf, f)
			r.manifests[def] = m
			if err == nil && r.pts[def] != nil {
				err = claims.CheckPoints(mf, r.file(def), def, m, pointsSum, r.pts[def])
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	if err := read(r.BaselinesFile(), func(f *os.File) error {
		var err error
		r.base, r.baseRecs, err = claims.ParseBaselines(r.BaselinesFile(), f)
		return err
	}); err != nil {
		return nil, err
	}
	for _, network := range model.Names() {
		vf := r.ValidBaselinesFile(network)
		if err := read(vf, func(f *os.File) error {
			rows, _, err := claims.ParseBaselines(vf, f)
			r.validBase[network] = rows
			return err
		}); err != nil {
			return nil, err
		}
	}
	if b, err := os.ReadFile(r.GapFile()); err == nil {
		if ts := claims.ParseTables(string(b)); len(ts) > 0 {
			r.gap = &ts[0]
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if err := read(r.BenchFile(), func(f *os.File) error {
		ps, err := claims.PassTimes(f, r.BenchFile())
		r.passes = &ps
		return err
	}); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(r.PyTorchFile()); err == nil {
		r.pytorch = string(b)
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return r, nil
}
