package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"

	"obd/backend"
	"obd/datasets"
	"obd/export"
	"obd/model"
	"obd/model/nettest"
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
	err := run(context.Background(), []string{"-quick", "-out", out, "paper-fig1", bad}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:") {
		t.Fatalf("err = %v, want one naming bad.yaml and a line", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed parse", out)
	}
	err = run(context.Background(), []string{"-out", out, "no-such-definition"}, &stdout, &stderr)
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
	if err := run(context.Background(), []string{"-all", "-quick", "-out", out}, &stdout, &stderr); err != nil {
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
	if err := run(context.Background(), []string{"-all", "-quick", "-out", out}, &stdout, &stderr); err != nil {
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

// -export NAME writes OUT/export/NAME-quick.npz under -quick, prints its
// path, and keeps the dense-net cache under OUT/.cache like every other
// mode: nothing is written to ./results of the working directory (it was,
// whatever -out said).
func TestExportQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a quick lenet1")
	}
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-export", "paper-fig1", "-quick", "-out", "out"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	path := filepath.Join("out", "export", "paper-fig1-quick.npz")
	if got := stdout.String(); got != path+"\n" {
		t.Errorf("stdout %q, want the archive's path %q", got, path)
	}
	theta, mask, err := export.ReadNPZ(path, model.LeNet1())
	if err != nil {
		t.Fatal(err)
	}
	if len(theta) != 2578 || len(mask) != 2578 {
		t.Fatalf("read %d parameters, %d mask entries", len(theta), len(mask))
	}
	if _, err := os.Stat(filepath.Join("out", ".cache")); err != nil {
		t.Errorf("no dense-net cache under -out: %v", err)
	}
	if _, err := os.Stat("results"); !os.IsNotExist(err) {
		t.Errorf("-export -out out wrote ./results (stat: %v)", err)
	}

	def, err := load("paper-fig1")
	if err != nil {
		t.Fatal(err)
	}
	q := def.AtScale(true)
	want := export.Meta{Network: "lenet1", Definition: "paper-fig1", DefinitionHash: q.Hash(), Seed: q.Seeds[0],
		DigitSize: q.Data.DigitSize, Estimator: "lm"}
	if meta, err := export.ReadMeta(path); err != nil || meta != want {
		t.Errorf("ReadMeta = %+v, %v; want %+v", meta, err, want)
	}

	// hessian.indices index MNIST's training file, ascending: the quick
	// training set is a stratified subset of the file, and the Hessian
	// images a stratified subset of it, mapped back to the file.
	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []int64
	if err := r.Read(export.IndicesName+".npy", &got); err != nil {
		t.Fatal(err)
	}
	m := nettest.MNIST(t)
	if q.Data.Train >= datasets.TrainN || q.Data.HessianSamples >= q.Data.Train {
		t.Fatalf("quick paper-fig1 uses %d training images and %d for the Hessian: the test needs strict subsets", q.Data.Train, q.Data.HessianSamples)
	}
	trainIdx, err := datasets.Stratified(m.Train, q.Data.Train, 1)
	if err != nil {
		t.Fatal(err)
	}
	hIdx, err := datasets.Stratified(m.Train.Subset(trainIdx), q.Data.HessianSamples, q.Seeds[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(hIdx) {
		t.Fatalf("%d Hessian indices, want %d", len(got), len(hIdx))
	}
	for i, k := range hIdx {
		if got[i] != int64(trainIdx[k]) {
			t.Fatalf("hessian.indices[%d] = %d, want MNIST training-file index %d", i, got[i], trainIdx[k])
		}
		if i > 0 && got[i] <= got[i-1] {
			t.Fatalf("hessian.indices not ascending at %d: %d after %d", i, got[i], got[i-1])
		}
	}
	if last := got[len(got)-1]; last < int64(q.Data.Train) {
		t.Errorf("largest index %d < %d training images: positions in the subset, not file indices?", last, q.Data.Train)
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
		if err := run(context.Background(), []string{"-quick", "-workers", fmt.Sprint(w), "-out", out, "paper-fig2"}, &stdout, &stderr); err != nil {
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

// TestFlagCombinations checks the table of modes: flags that a mode does
// not use, two modes, and names for a mode that takes none are refused
// with an error naming both (exit status 2); the combinations that make
// sense parse.
func TestFlagCombinations(t *testing.T) {
	ok := [][]string{
		nil,
		{"-quick", "-out", "d", "-mnist", "m", "-workers", "2", "paper-fig1", "x.yaml"},
		{"-all", "-quick"},
		{"-shard", "0/2", "-out", "d", "paper-fig1"},
		{"-merge", "-out", "d", "paper-fig1"},
		{"-list"},
		{"-describe"},
		{"-baselines"},
		{"-baselines", "-quick", "-out", "d", "-mnist", "m", "-workers", "1", "lenet1-retrain"},
		{"-baselines", "-every-seed", "-baselines-dir", "b", "lenet1-retrain"},
		{"-export", "paper-fig1", "-quick", "-out", "d", "-mnist", "m", "-workers", "1"},
		{"-hessian-gap", "-out", "d", "-mnist", "m", "-workers", "1"},
		{"-experiments-md", "E.md", "-out", "d"},
		{"-redraw"},
		{"-redraw", "-out", "d", "paper-fig1", "han-lenet5"},
		{"-list=false", "-describe"}, // a bool flag set to false is not given
	}
	for _, args := range ok {
		var stdout, stderr bytes.Buffer
		if _, err := parse(args, &stdout, &stderr); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	bad := []struct {
		args []string
		want []string // in the error
	}{
		{[]string{"-describe", "-list"}, []string{"-list and -describe cannot be combined"}},
		{[]string{"-export", "x", "-baselines"}, []string{"-baselines and -export cannot be combined"}},
		{[]string{"-hessian-gap", "-experiments-md", "E.md"}, []string{"-hessian-gap and -experiments-md"}},
		{[]string{"-list", "-quick"}, []string{"-quick cannot be combined with -list", "runs of definitions, -baselines and -export"}},
		{[]string{"-describe", "-out", "d"}, []string{"-out cannot be combined with -describe"}},
		{[]string{"-list", "paper-fig1"}, []string{"-list takes no definition names", "paper-fig1"}},
		{[]string{"-describe", "paper-fig1"}, []string{"-describe takes no definition names"}},
		{[]string{"-hessian-gap", "paper-fig1"}, []string{"-hessian-gap takes no definition names"}},
		{[]string{"-experiments-md", "E.md", "x"}, []string{"-experiments-md takes no definition names"}},
		{[]string{"-baselines", "-all"}, []string{"-all cannot be combined with -baselines", "runs of definitions only"}},
		{[]string{"-baselines", "-shard", "0/2"}, []string{"-shard cannot be combined with -baselines"}},
		{[]string{"-baselines", "-merge"}, []string{"-merge cannot be combined with -baselines"}},
		{[]string{"-every-seed", "paper-fig1"}, []string{"-every-seed applies to -baselines only"}},
		{[]string{"-export", "x", "-baselines-dir", "b"}, []string{"-baselines-dir cannot be combined with -export"}},
		{[]string{"-export", "x", "-merge"}, []string{"-merge cannot be combined with -export"}},
		{[]string{"-export", "x", "-all"}, []string{"-all cannot be combined with -export"}},
		{[]string{"-export", "x", "y"}, []string{"-export takes one definition", "y"}},
		{[]string{"-export", ""}, []string{"-export needs a definition name"}},
		{[]string{"-hessian-gap", "-quick"}, []string{"-quick cannot be combined with -hessian-gap"}},
		{[]string{"-experiments-md", "E.md", "-quick"}, []string{"-quick cannot be combined with -experiments-md"}},
		{[]string{"-experiments-md", "E.md", "-workers", "2"}, []string{"-workers cannot be combined with -experiments-md"}},
		{[]string{"-experiments-md", ""}, []string{"-experiments-md needs a file name"}},
		{[]string{"-shard", "0/2", "-merge"}, []string{"-shard and -merge cannot be combined"}},
		{[]string{"-redraw", "-quick"}, []string{"-quick cannot be combined with -redraw"}},
		{[]string{"-redraw", "-merge"}, []string{"-merge cannot be combined with -redraw"}},
		{[]string{"-redraw", "-all"}, []string{"-all cannot be combined with -redraw"}},
		{[]string{"-redraw", "-experiments-md", "E.md"}, []string{"-experiments-md and -redraw cannot be combined"}},
		{[]string{"-all", "paper-fig1"}, []string{"definition names or -all, not both"}},
		{[]string{"-bogus"}, []string{"-bogus"}},
	}
	for _, c := range bad {
		var stdout, stderr bytes.Buffer
		_, err := parse(c.args, &stdout, &stderr)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: err = %v, want a usage error", c.args, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: err = %q, want it to contain %q", c.args, err, w)
			}
		}
		if code := exitCode(err, io.Discard); code != 2 {
			t.Errorf("%q: exit status %d, want 2", c.args, code)
		}
	}
	// -workers < 0 is refused before anything is loaded.
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-workers", "-1", "-out", t.TempDir()}, &stdout, &stderr)
	if code := exitCode(err, io.Discard); code != 2 || !strings.Contains(err.Error(), "-workers -1") {
		t.Errorf("-workers -1: err %v, exit status %d; want a usage error (2)", err, code)
	}
}

// -h prints the usage to stdout, listing every flag, and is not an error.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr)
	if err != nil || exitCode(err, io.Discard) != 0 {
		t.Fatalf("-h: err = %v, want nil (exit status 0)", err)
	}
	if stderr.Len() > 0 {
		t.Errorf("-h wrote to stderr: %q", stderr.String())
	}
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		if n := strings.Count(stdout.String(), "\n  -"+f.Name+" "); n != 1 {
			t.Errorf("-h lists -%s %d times, want once:\n%s", f.Name, n, stdout.String())
		}
	})
}

// README.md's command block (the ``` block under "## Command line") is
// the output of -h, line for line: every flag, its value's name and its
// description. After changing a flag, paste `go run ./experiments -h`
// into README.md.
func TestReadmeCommandBlock(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "\n## Command line\n")
	if i < 0 {
		t.Fatal("README.md has no \"## Command line\" section")
	}
	section := readme[i:]
	start := strings.Index(section, "\n```\n")
	if start < 0 {
		t.Fatal("README.md's Command line section has no ``` block")
	}
	block := section[start+len("\n```\n"):]
	end := strings.Index(block, "\n```\n")
	if end < 0 {
		t.Fatal("README.md's command block does not end")
	}
	block = block[:end+1]
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	got, want := strings.Split(block, "\n"), strings.Split(stdout.String(), "\n")
	for k := range max(len(got), len(want)) {
		var g, w string
		if k < len(got) {
			g = got[k]
		}
		if k < len(want) {
			w = want[k]
		}
		if g != w {
			t.Fatalf("README.md's command block differs from -h at its line %d:\nREADME: %q\n-h:     %q\n(paste the output of go run ./experiments -h)", k+1, g, w)
		}
	}
}

// Flags may follow the names: `-quick paper-fig1 -out d` used to read -out
// and d as definition names ("no definition \"-out\"").
func TestFlagsAfterNames(t *testing.T) {
	for _, c := range []struct {
		args  []string
		names []string
		out   string
	}{
		{[]string{"-quick", "paper-fig1", "-out", "d"}, []string{"paper-fig1"}, "d"},
		{[]string{"paper-fig1", "-quick", "paper-fig2", "-out", "d"}, []string{"paper-fig1", "paper-fig2"}, "d"},
		{[]string{"-out", "d", "--", "-odd.yaml"}, []string{"-odd.yaml"}, "d"},
	} {
		var stdout, stderr bytes.Buffer
		o, err := parse(c.args, &stdout, &stderr)
		if err != nil || !slices.Equal(o.names, c.names) || o.out != c.out {
			t.Errorf("%q: names %q, -out %q, err %v; want names %q, -out %q", c.args, o.names, o.out, err, c.names, c.out)
		}
	}
	var stdout, stderr bytes.Buffer
	if _, err := parse([]string{"paper-fig1", "-list"}, &stdout, &stderr); err == nil {
		t.Error("a mode flag after a name: no error")
	}
}

// Every dense-baseline variant parses under the definition rules: a rule
// added later that refuses one would otherwise surface only when -baselines
// is run on it.
func TestVariantsLoad(t *testing.T) {
	names := variantNames()
	if len(names) == 0 {
		t.Fatal("no variants embedded")
	}
	defs, err := loadAll(names)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(names) {
		t.Errorf("%d definitions from %d variants", len(defs), len(names))
	}
}

// A definition file that takes a shipped definition's name must be that
// definition: another grid under paper-fig1's name would write over
// results/paper-fig1. A verbatim copy is that definition, and loads.
func TestShippedNameRefused(t *testing.T) {
	b, err := shipped.ReadFile("definitions/paper-fig1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	same := filepath.Join(dir, "copy.yaml")
	if err := os.WriteFile(same, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(same); err != nil {
		t.Errorf("a verbatim copy: %v", err)
	}
	edited := strings.Replace(string(b), "seeds: [1, 2, 3]", "seeds: [1, 2]", 1)
	if edited == string(b) {
		t.Fatal("paper-fig1.yaml has no \"seeds: [1, 2, 3]\" to edit")
	}
	mine := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(mine, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = load(mine)
	if want := mine + `:2: name: "paper-fig1" is the name of experiments/definitions/paper-fig1.yaml, and this file differs from it`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want one containing %q", err, want)
	}
}

// A manifest's git_commit names the commit whose code made the results:
// for `go run`, the working directory's; for a binary built at one commit
// and run in a checkout of another, the binary's (before, it named the
// checkout's, a commit that need not even hold the definition it ran:
// results/han-lenet300-iterative-long was first written so).
func TestCommitOf(t *testing.T) {
	const a, b = "aaaa", "bbbb"
	for _, tc := range []struct {
		name          string
		buildRev      string
		buildModified bool
		head          string
		dirty         bool
		want          string
	}{
		{"go run: no build revision", "", false, a, false, a},
		{"go run, the checkout changed", "", false, a, true, a + "+dirty"},
		{"built here", a, true, a, false, a},
		{"built here, changed since", a, false, a, true, a + "+dirty"},
		{"built at another commit", b, false, a, false, b},
		{"built at another commit from a changed checkout", b, true, a, false, b + "+dirty"},
		{"built at another commit, run outside a checkout", b, false, "", false, b},
		{"nothing known", "", false, "", false, "unknown"},
	} {
		if got := commitOf(tc.buildRev, tc.buildModified, tc.head, tc.dirty); got != tc.want {
			t.Errorf("%s: commitOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
