package study

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"obd/model"
	"obd/report"
)

func unitPoints(method, scope string, seed uint64, n int) []report.Point {
	var pts []report.Point
	for i := range n {
		pts = append(pts, report.Point{Definition: "t", Network: "lenet1", Method: method, Scope: scope,
			Schedule: "oneshot", Seed: seed, Step: i, ParamsTotal: 2578, ParamsRemaining: 2578 - 100*i,
			FractionRemoved: float64(100*i) / 2578, ConnectionsTotal: 98442, ConnectionsRemaining: 98442 - 1000*i,
			TrainMSE: 0.1 * float64(i+1), TestMSE: 0.2, TrainError: 0.01, TestError: 0.02})
	}
	return pts
}

// A unit's record is reused only when it is intact and belongs to the
// unit: each kind of damage that was once silently accepted is a
// *RecordError naming the file.
func TestUnitRecordVerified(t *testing.T) {
	dir := t.TempDir()
	path := func(name, ext string) string { return filepath.Join(dir, name+ext) }
	a := unitRecord{Key: "aaaa", Method: "obd", Scope: "global", Seed: 1, Backend: "gonum", Seconds: 2}
	b := unitRecord{Key: "bbbb", Method: "magnitude", Scope: "global", Seed: 1, Backend: "gonum"}
	write := func(name string, rec unitRecord) {
		t.Helper()
		if _, err := writeUnitRecord(path(name, ".csv"), path(name, ".json"), rec, unitPoints(rec.Method, rec.Scope, rec.Seed, 5)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string, want unitRecord) ([]report.Point, error) {
		_, pts, err := readUnitRecord(path(name, ".csv"), path(name, ".json"), want)
		return pts, err
	}
	if _, err := read("a", a); !errors.Is(err, errNoRecord) {
		t.Fatalf("nothing stored: err = %v, want errNoRecord", err)
	}
	write("a", a)
	write("b", b)
	if pts, err := read("a", a); err != nil || len(pts) != 5 {
		t.Fatalf("intact record: %d points, err %v", len(pts), err)
	}
	csvA, _ := os.ReadFile(path("a", ".csv"))
	jsonA, _ := os.ReadFile(path("a", ".json"))
	csvB, _ := os.ReadFile(path("b", ".csv"))
	jsonB, _ := os.ReadFile(path("b", ".json"))
	lines := strings.SplitAfter(string(csvA), "\n")
	for _, c := range []struct {
		name      string
		csv, json []byte
		want      string
	}{
		{"cut at a line boundary", []byte(strings.Join(lines[:3], "")), jsonA, "a.csv: SHA-256"},
		{"a number edited", []byte(strings.Replace(string(csvA), "0.02", "0.03", 1)), jsonA, "a.csv: SHA-256"},
		{"another unit's points", csvB, jsonA, "a.csv: SHA-256"},
		{"another unit's points and record", csvB, jsonB, "a.json: record of magnitude/global seed 1 (key bbbb)"},
		{"points missing", nil, jsonA, "a.csv: missing"},
		{"record damaged", csvA, jsonA[:10], "a.json: unreadable record"},
		{"a negative time", csvA, []byte(strings.Replace(string(jsonA), `"seconds":2`, `"seconds":-2`, 1)), "a.json: seconds -2"},
	} {
		if c.csv == nil {
			os.Remove(path("a", ".csv"))
		} else {
			os.WriteFile(path("a", ".csv"), c.csv, 0o644)
		}
		os.WriteFile(path("a", ".json"), c.json, 0o644)
		_, err := read("a", a)
		var re *RecordError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a RecordError containing %q", c.name, err, c.want)
		}
	}
	// A seed's record is not another seed's, even under the same key.
	os.WriteFile(path("a", ".csv"), csvA, 0o644)
	os.WriteFile(path("a", ".json"), jsonA, 0o644)
	other := a
	other.Seed = 2
	if _, err := read("a", other); err == nil {
		t.Error("seed 1's record read as seed 2's")
	}
}

// A cached dense net is reused only when it is the one trained for the
// key, bit for bit.
func TestDenseCacheVerified(t *testing.T) {
	net := model.LeNet1()
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "seed1"), filepath.Join(dir, "seed2")
	if _, _, err := readDenseCache(p1, "k1", net); !errors.Is(err, errNoRecord) {
		t.Fatalf("empty cache: err = %v", err)
	}
	if err := writeDenseCache(p1, net, net.Init(1), denseRecord{Key: "k1", Seconds: 3, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	if err := writeDenseCache(p2, net, net.Init(2), denseRecord{Key: "k2"}); err != nil {
		t.Fatal(err)
	}
	theta, rec, err := readDenseCache(p1, "k1", net)
	if err != nil || rec.Seconds != 3 || rec.Epochs != 2 || theta[5] != net.Init(1)[5] {
		t.Fatalf("intact cache: %v, %+v", err, rec)
	}
	params, _ := os.ReadFile(p1 + ".params")
	meta, _ := os.ReadFile(p1 + ".json")
	params2, _ := os.ReadFile(p2 + ".params")
	meta2, _ := os.ReadFile(p2 + ".json")
	flipped := append([]byte(nil), params...)
	flipped[len(flipped)-100] ^= 0x10
	for _, c := range []struct {
		name         string
		params, meta []byte
		want         string
	}{
		{"one flipped bit", flipped, meta, "seed1.params: SHA-256"},
		{"seed 2's net over seed 1's", params2, meta, "seed1.params: SHA-256"},
		{"seed 2's net and record over seed 1's", params2, meta2, "seed1.json: dense net of key k2, want k1"},
		{"cut short", params[:len(params)/2], meta, "seed1.params: SHA-256"},
		// The sidecar's own numbers (the training's time and epochs, which
		// baselines.csv's seconds_per_epoch is computed from) must be
		// possible; they were taken as found.
		{"no epochs", params, []byte(strings.Replace(string(meta), `"epochs":2`, `"epochs":0`, 1)), "seed1.json: epochs 0"},
		{"negative seconds", params, []byte(strings.Replace(string(meta), `"seconds":3`, `"seconds":-3`, 1)), "seed1.json: seconds -3"},
		{"an unknown field", params, []byte(strings.Replace(string(meta), `"epochs":2`, `"epochs":2,"epoch":2`, 1)), "seed1.json: unreadable record"},
	} {
		os.WriteFile(p1+".params", c.params, 0o644)
		os.WriteFile(p1+".json", c.meta, 0o644)
		_, _, err := readDenseCache(p1, "k1", net)
		var re *RecordError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a RecordError containing %q", c.name, err, c.want)
		}
	}
}

// The record of a dense net's training beside the units is verified as
// the units' are: a damaged one, or one of another seed, is a
// *RecordError naming it (it used to be dropped silently, and -merge then
// left the seed's dense training out of manifest.json).
func TestDenseRecordVerified(t *testing.T) {
	dir := t.TempDir()
	if _, err := readDenseRecord(dir, "h", 1); !errors.Is(err, errNoRecord) {
		t.Fatalf("no record: err = %v", err)
	}
	if err := writeDenseRecord(dir, "h", UnitResult{Method: "dense", Seed: 1, Seconds: 2.5, Backend: "gonum"}); err != nil {
		t.Fatal(err)
	}
	if r, err := readDenseRecord(dir, "h", 1); err != nil || r.Seconds != 2.5 {
		t.Fatalf("intact record: %+v, %v", r, err)
	}
	path := denseRecordPath(dir, "h", 1)
	for _, c := range []struct{ name, content, want string }{
		{"cut short", `{"method":"dense","se`, "unreadable record"},
		{"garbage", "\x00\x01", "unreadable record"},
		{"another seed's", `{"method":"dense","seed":2,"seconds":1}`, "record of dense seed 2, want dense seed 1"},
		{"a unit's", `{"method":"obd","scope":"global","seed":1,"seconds":1}`, "record of obd seed 1"},
		{"an unknown field", `{"method":"dense","seed":1,"seconds":1,"epochs":3}`, "unreadable record"},
		{"negative time", `{"method":"dense","seed":1,"seconds":-1}`, "seconds -1"},
	} {
		os.WriteFile(path, []byte(c.content), 0o644)
		_, err := readDenseRecord(dir, "h", 1)
		var re *RecordError
		if !errors.As(err, &re) || re.Path != path || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a RecordError naming %s and containing %q", c.name, err, path, c.want)
		}
	}
}
