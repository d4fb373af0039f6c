package claims

import (
	"strings"
	"testing"

	"obd/report"
)

// A manifest and the points beside it must describe one study: before
// CheckPoints, -experiments-md quoted paper-fig1's manifest.json copied
// over paper-fig2's ("zero epoch of retraining per step") and a manifest
// with its units list cut (fewer minutes of recorded work), exit 0.
func TestCheckPoints(t *testing.T) {
	const manifest = `{"definition": {"name": "d", "network": "lenet1"}, "points_sha256": "5eed",
		"units": [{"method": "obd", "scope": "global", "seed": 1}, {"method": "obd", "scope": "global", "seed": 2, "error": "diverged"}]}`
	parse := func(src string) Manifest {
		t.Helper()
		m, err := ParseManifest("manifest.json", strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	pt := func(network string, seed uint64) report.Point {
		return report.Point{Definition: "d", Network: network, Method: "obd", Scope: "global", Seed: seed}
	}
	if err := CheckPoints("manifest.json", "points.csv", "d", parse(manifest), "5eed", []report.Point{pt("lenet1", 1)}); err != nil {
		t.Fatalf("matching manifest and points: %v", err)
	}
	for _, c := range []struct {
		name, dir, manifest, sum string
		pts                      []report.Point
		want                     string
	}{
		{"another definition's manifest", "e", manifest, "5eed", []report.Point{pt("lenet1", 1)}, `manifest.json: definition "d", want "e" (the directory's)`},
		{"points of another network", "d", manifest, "5eed", []report.Point{pt("lenet5", 1)}, "points.csv: line 2 is of lenet5, but manifest.json says lenet1"},
		{"a unit the manifest does not list", "d", manifest, "5eed", []report.Point{pt("lenet1", 1), pt("lenet1", 3)}, "points.csv: line 3 is of obd/global seed 3, a unit manifest.json does not list"},
		{"rows of a failed unit", "d", manifest, "5eed", []report.Point{pt("lenet1", 1), pt("lenet1", 2)}, "points.csv: line 3 is of obd/global seed 2, which manifest.json records as failed"},
		{"a finished unit without rows", "d", manifest, "5eed", nil, "points.csv: no rows of obd/global seed 1, which manifest.json records as finished"},
		// The units match, but points.csv is not the file written with the
		// manifest: a number edited, or a write cut short after points.csv
		// (study.Write writes manifest.json last). Before points_sha256,
		// such a pair was quoted as one result.
		{"points.csv not the one written with the manifest", "d", manifest, "bad", []report.Point{pt("lenet1", 1)}, "points.csv: SHA-256 bad, but manifest.json records 5eed: the two were not written together"},
		{"a manifest without points_sha256", "d", strings.Replace(manifest, `"points_sha256": "5eed",`, "", 1), "5eed", []report.Point{pt("lenet1", 1)}, "manifest.json: no points_sha256"},
	} {
		err := CheckPoints("manifest.json", "points.csv", c.dir, parse(c.manifest), c.sum, c.pts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}
