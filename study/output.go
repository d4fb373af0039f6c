package study

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"obd/internal/atomicfile"
	"obd/report"
)

// Meta describes how a result was produced, for manifest.json.
type Meta struct {
	Command string
	Backend string
	Commit  string
	Workers int
}

// manifest is manifest.json: how a result was produced. PointsSHA256 is
// the SHA-256 (hex) of the points.csv written with it, so that a reader
// can tell a points.csv and a manifest.json written together from a set
// whose writing was cut short (points.csv new, manifest.json old) or
// whose files were copied or edited one by one (CheckPointsSum).
type manifest struct {
	Definition   *Definition  `json:"definition"`
	Hash         string       `json:"hash"`
	PointsSHA256 string       `json:"points_sha256,omitempty"`
	Command      string       `json:"command"`
	Commit       string       `json:"git_commit"`
	GoVersion    string       `json:"go_version"`
	Backend      string       `json:"blas_backend"`
	Workers      int          `json:"workers"`
	Seeds        []uint64     `json:"seeds"`
	Dense        []UnitResult `json:"dense"`
	Units        []UnitResult `json:"units"`
	Written      string       `json:"written"`
}

func writeManifest(path string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// Write writes the definition's outputs into res.Dir: points.csv,
// summary.md, figures/ (SVG and PNG) and manifest.json, in that order.
// Each file is written atomically; the set is not, but manifest.json,
// written last, records points.csv's SHA-256, and every reader of the
// pair (Redraw, EXPERIMENTS.md's generator) checks it: a set left half
// written by a failed write is refused, not read as one result.
func Write(res *Result, meta Meta) error {
	d := res.Def
	var pb bytes.Buffer
	if err := report.WriteCSV(&pb, res.Points); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(res.Dir, "points.csv"), pb.Bytes()); err != nil {
		return err
	}
	if err := writeReport(res, meta); err != nil {
		return err
	}
	return writeManifest(filepath.Join(res.Dir, "manifest.json"), &manifest{
		Definition: d, Hash: res.Hash, PointsSHA256: checksum(pb.Bytes()), Command: meta.Command,
		Commit: meta.Commit, GoVersion: runtime.Version(), Backend: meta.Backend, Workers: meta.Workers,
		Seeds: d.Seeds, Dense: res.Dense, Units: res.Units, Written: time.Now().UTC().Format(time.RFC3339)})
}

// PointsSum is the SHA-256 (hex) of a points.csv's bytes, as
// manifest.json's points_sha256 records it.
func PointsSum(b []byte) string { return checksum(b) }

// CheckPointsSum checks got, the SHA-256 of a points.csv's bytes
// (PointsSum of ppath), against want, the points_sha256 that
// manifest.json (mpath) records. A manifest
// without one was written before manifests recorded it: Redraw, after
// checking the pair's units, records it.
func CheckPointsSum(mpath, ppath, want, got string) error {
	if want == "" {
		return fmt.Errorf("%s: no points_sha256 (written before manifests recorded their points.csv): "+
			"`go run ./experiments -redraw %s` checks the pair's units and records it", mpath, filepath.Base(filepath.Dir(mpath)))
	}
	if got != want {
		return fmt.Errorf("%s: SHA-256 %s, but %s records %s: the two were not written together "+
			"(a write cut short, or one of them copied or edited); run the definition again", ppath, got, mpath, want)
	}
	return nil
}

// writeReport writes what Write derives from the points: figures/ and
// summary.md. Redraw writes them again from a written result.
func writeReport(res *Result, meta Meta) error {
	d := res.Def
	figs := figuresFor(d.Figures, res.Points)
	figDir := filepath.Join(res.Dir, "figures")
	for _, f := range figs {
		if err := f.Save(figDir); err != nil {
			return fmt.Errorf("figure %s: %w", f.Name, err)
		}
	}
	notes := []string{d.Description,
		fmt.Sprintf("Made by `%s` (definition hash %s, BLAS backend %s). Network %s; %s schedule; seeds %v.",
			meta.Command, res.Hash, meta.Backend, d.Network, d.Schedule, d.Seeds)}
	for _, u := range append(append([]UnitResult(nil), res.Dense...), res.Units...) {
		switch {
		case u.Error != "" && u.Method == "dense":
			notes = append(notes, fmt.Sprintf("**FAILED**: the dense %s of seed %d: %s", d.Network, u.Seed, u.Error))
		case u.Error != "":
			notes = append(notes, fmt.Sprintf("**FAILED**: %s/%s seed %d: %s", u.Method, u.Scope, u.Seed, u.Error))
		}
	}
	for _, f := range figs {
		notes = append(notes, fmt.Sprintf("![%s](figures/%s.svg)", f.Title, f.Name))
	}
	return atomicfile.WriteFunc(filepath.Join(res.Dir, "summary.md"), func(b *bytes.Buffer) error {
		return report.WriteSummary(b, d.Name, res.Points, notes)
	})
}

// Redraw writes dir/figures/ and dir/summary.md again from dir/points.csv
// and dir/manifest.json, as Write wrote them, without the units: after a
// change of the figures or the summary, the committed results are redrawn
// from their committed points. The pair must belong together (its units
// match, and points.csv has the SHA-256 the manifest records); points.csv
// and manifest.json are left as they are, except that a manifest written
// before manifests recorded points_sha256 gets it, once its units match.
// Errors name the file.
func Redraw(dir string) error {
	mpath := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(mpath)
	if err != nil {
		return err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s: %w", mpath, err)
	}
	if m.Definition == nil || m.Definition.Name == "" {
		return fmt.Errorf("%s: no definition", mpath)
	}
	ppath := filepath.Join(dir, "points.csv")
	pb, err := os.ReadFile(ppath)
	if err != nil {
		return err
	}
	pts, err := report.ReadPoints(ppath, bytes.NewReader(pb))
	if err != nil {
		return err
	}
	if err := matchManifest(dir, mpath, ppath, m.Definition, m.Units, pts); err != nil {
		return err
	}
	if m.PointsSHA256 == "" {
		m.PointsSHA256 = checksum(pb)
		if err := writeManifest(mpath, &m); err != nil {
			return err
		}
	} else if err := CheckPointsSum(mpath, ppath, m.PointsSHA256, checksum(pb)); err != nil {
		return err
	}
	res := &Result{Def: m.Definition, Hash: m.Hash, Dir: dir, Points: pts, Dense: m.Dense, Units: m.Units}
	return writeReport(res, Meta{Command: m.Command, Backend: m.Backend})
}

// matchManifest checks that a result directory's manifest and points
// belong together: the directory is named after the manifest's
// definition, and the points are those of its units (MatchUnits). A
// manifest or a points file copied from another result, or edited, is
// refused, naming the file.
func matchManifest(dir, mpath, ppath string, d *Definition, units []UnitResult, pts []report.Point) error {
	if base := filepath.Base(dir); base != d.Name && base != d.Name+"-quick" {
		return fmt.Errorf("%s: definition %q, but the directory is %s", mpath, d.Name, base)
	}
	return MatchUnits(mpath, ppath, d.Network, string(d.Schedule), units, pts)
}

// MatchUnits checks that the points of a result (read from ppath) are
// those of the units its manifest (mpath) lists: every point is of
// network, of schedule unless that is empty, and of a unit listed as
// finished (no Error), and every unit listed as finished has points.
// Errors name the file and, for a point, its line.
func MatchUnits(mpath, ppath, network, schedule string, units []UnitResult, pts []report.Point) error {
	type key struct {
		method, scope string
		seed          uint64
	}
	failed := map[key]bool{}
	for _, u := range units {
		failed[key{u.Method, u.Scope, u.Seed}] = u.Error != ""
	}
	has := map[key]bool{}
	for i, p := range pts {
		k := key{p.Method, p.Scope, p.Seed}
		f, ok := failed[k]
		switch {
		case p.Network != network:
			return fmt.Errorf("%s: line %d is of %s, but %s says %s", ppath, i+2, p.Network, mpath, network)
		case schedule != "" && p.Schedule != schedule:
			return fmt.Errorf("%s: line %d is of schedule %s, but %s says %s", ppath, i+2, p.Schedule, mpath, schedule)
		case !ok:
			return fmt.Errorf("%s: line %d is of %s/%s seed %d, a unit %s does not list", ppath, i+2, p.Method, p.Scope, p.Seed, mpath)
		case f:
			return fmt.Errorf("%s: line %d is of %s/%s seed %d, which %s records as failed", ppath, i+2, p.Method, p.Scope, p.Seed, mpath)
		}
		has[k] = true
	}
	for _, u := range units {
		if k := (key{u.Method, u.Scope, u.Seed}); u.Error == "" && !has[k] {
			return fmt.Errorf("%s: no rows of %s/%s seed %d, which %s records as finished", ppath, u.Method, u.Scope, u.Seed, mpath)
		}
	}
	return nil
}

// published are the dense test errors on MNIST published for the shipped
// networks, drawn as reference lines on their test-error figures.
// EXPERIMENTS.md.tmpl quotes the same numbers ($lecun1, $han300Dense,
// $han5Dense); PAPER.md gives them.
var published = report.References{
	"lenet1":   {TestError: 0.017, Source: "LeCun et al. 1998"}, // LeNet-1
	"lenet300": {TestError: 0.0164, Source: "Han et al. 2015"},  // LeNet-300-100, their Caffe baseline
	"lenet5":   {TestError: 0.008, Source: "Han et al. 2015"},   // LeNet-5 (Caffe's), their baseline
}

func figuresFor(set string, pts []report.Point) []report.Figure {
	var figs []report.Figure
	switch set {
	case "paper-fig1":
		figs = report.PaperFig1(pts)
	case "paper-fig2":
		figs = report.PaperFig2(pts, published)
	}
	return append(figs, report.PruningCurves(pts, published)...)
}
