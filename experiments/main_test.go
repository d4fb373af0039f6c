package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"obd/backend"
	"obd/export"
	"obd/model"
)

var update = flag.Bool("update", false, "rewrite the golden points.csv files of -quick -all")

// A broken definition stops the command before anything is written, with
// an error naming the file and line.
func TestBadDefinitionWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nnetwork: lenet1\ngrid: [0.5, 1.5]\n"), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	// A good name first: nothing of it may run either.
	err := run(context.Background(), options{names: []string{"paper-fig1", bad}, out: out, quick: true}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:") {
		t.Fatalf("err = %v, want one naming bad.yaml and a line", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed parse", out)
	}
	err = run(context.Background(), options{names: []string{"no-such-definition"}, out: out}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "paper-fig1") {
		t.Errorf("unknown name: err = %v, want the list of shipped names", err)
	}
}

// TestQuickGolden runs every shipped definition at -quick scale and
// requires points.csv to match the committed golden files byte for byte,
// so the committed results provably still follow from the code. After a
// deliberate change of the numbers, regenerate them with
// `go test ./experiments -run QuickGolden -args -update`. The golden files are
// those of the default pure-Go BLAS; other backends round differently.
func TestQuickGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every definition at reduced scale")
	}
	if backend.Name() != "gonum" {
		t.Skipf("golden files are for the gonum backend, not %s", backend.Name())
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), options{all: true, quick: true, out: out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, name := range shippedNames() {
		got, err := os.ReadFile(filepath.Join(out, name+"-quick", "points.csv"))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", name+"-quick.points.csv")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (regenerate with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: points.csv differs from %s", name, golden)
		}
		for _, f := range []string{"summary.md", "manifest.json", "figures"} {
			if _, err := os.Stat(filepath.Join(out, name+"-quick", f)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	// A second run finds every unit finished and writes the same points.
	if err := run(context.Background(), options{all: true, quick: true, out: out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range shippedNames() {
		a, _ := os.ReadFile(filepath.Join(out, name+"-quick", "points.csv"))
		b, _ := os.ReadFile(filepath.Join("testdata", "golden", name+"-quick.points.csv"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: resumed run wrote different points", name)
		}
	}
}

// -export writes an archive that reads back into the same parameters, with
// the dense cache kept in the default results directory.
func TestExportQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a quick lenet1")
	}
	t.Chdir(t.TempDir())
	path := filepath.Join("out", "lenet1.npz")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), options{export: "paper-fig1", out: path, quick: true}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	theta, mask, err := export.ReadNPZ(path, model.LeNet1())
	if err != nil {
		t.Fatal(err)
	}
	if len(theta) != 2578 || len(mask) != 2578 {
		t.Fatalf("read %d parameters, %d mask entries", len(theta), len(mask))
	}
	if err := run(context.Background(), options{export: "paper-fig1", out: "x.txt", quick: true}, &stdout, &stderr); err == nil {
		t.Error("-export without a .npz -out: no error")
	}
}

// The number of workers does not change a single bit of the results: the
// golden files were made with GOMAXPROCS workers.
func TestWorkersDoNotChangePoints(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a quick lenet1 twice")
	}
	if backend.Name() != "gonum" {
		t.Skipf("golden files are for the gonum backend, not %s", backend.Name())
	}
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "paper-fig2-quick.points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 3} {
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), options{names: []string{"paper-fig2"}, quick: true, workers: w, out: out}, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(out, "paper-fig2-quick", "points.csv"))
		if !bytes.Equal(got, want) {
			t.Errorf("%d workers: points.csv differs from the golden file", w)
		}
	}
}

// The committed full-scale results were made by the shipped definitions as
// they are now: the hash in each results/<name>/manifest.json is the
// definition's current hash. (A definition edited without rerunning it
// fails here.)
func TestCommittedResultsMatchDefinitions(t *testing.T) {
	defs, err := loadAll(shippedNames())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, d := range defs {
		b, err := os.ReadFile(filepath.Join("..", "results", d.Name, "manifest.json"))
		if os.IsNotExist(err) {
			continue // not run at full scale yet
		} else if err != nil {
			t.Fatal(err)
		}
		var m struct{ Hash string }
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if m.Hash != d.Hash() {
			t.Errorf("results/%s was made by definition hash %s; the shipped definition's is now %s: rerun it", d.Name, m.Hash, d.Hash())
		}
		checked++
	}
	if checked == 0 {
		t.Error("no committed results found under ../results")
	}
}
