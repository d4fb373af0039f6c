package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"obd/backend"
	"obd/datasets"
	"obd/report"
	"obd/study"
)

// setup parses the named definitions, all of them before any work starts,
// then loads MNIST.
func setup(o options, names []string) ([]*study.Definition, study.Env, error) {
	defs, err := loadAll(names)
	if err != nil {
		return nil, study.Env{}, err
	}
	env, err := environment(o)
	return defs, env, err
}

// firstDense trains (or finds in the cache) the dense net of the named
// definition's first seed; a net that did not learn is an error.
func firstDense(ctx context.Context, o options, name string) (*study.Dense, study.Env, error) {
	defs, env, err := setup(o, []string{name})
	if err != nil {
		return nil, env, err
	}
	dn, err := study.TrainDense(ctx, defs[0], env, defs[0].Seeds[0])
	if err == nil && dn.Learned != nil {
		err = fmt.Errorf("%s: dense %s seed %d: %w", dn.Def.Name, dn.Net.Name, dn.Seed, dn.Learned)
	}
	return dn, env, err
}

// environment loads MNIST and fills in the defaults every job shares.
func environment(o options) (study.Env, error) {
	if o.out == "" {
		o.out = "results"
	}
	dir, err := datasets.ResolveDir(o.mnist)
	if err != nil {
		return study.Env{}, err
	}
	slog.Info("loading MNIST", "dir", dir, "blas", backend.Name())
	m, err := datasets.Load(dir)
	if err != nil {
		return study.Env{}, err
	}
	workers := o.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return study.Env{MNIST: m, Out: o.out, Workers: workers, Quick: o.quick}, nil
}

func runDefinitions(ctx context.Context, o options, stdout, stderr io.Writer) error {
	names := o.names
	switch {
	case o.all && len(names) > 0:
		return errors.New("give definition names or -all, not both")
	case o.all:
		names = shippedNames()
	case len(names) == 0:
		names = defaultDefinitions
	}
	shard, err := parseShard(o.shard, os.Getenv)
	if err != nil {
		return err
	}
	defs, env, err := setup(o, names)
	if err != nil {
		return err
	}
	env.Shard, env.Merge = shard, o.merge
	if shard.Count > 1 {
		fmt.Fprintf(stderr, "shard %s: running units block %d of %d of each definition\n", shard, shard.Index, shard.Count)
	}
	bar := newBar(stderr)
	var progress study.Recorder = &barProgress{bar: bar}
	if !isTerminal(stderr) {
		progress = newTextProgress(stderr, time.Now)
	}
	env.Recorder = recorders{progress, logLines{barClearing{bar, stderr}}}
	for _, d := range defs {
		env.Recorder.Record(study.WorkPlanned{Definition: d.Name, Amount: d.Work(o.quick)})
	}
	failed, missing := 0, 0
	start := time.Now()
	for _, d := range defs {
		res, err := study.Run(ctx, d, env)
		if err != nil {
			bar.Clear()
			return err
		}
		bar.Clear()
		if !res.Complete() {
			// Another shard's units are not finished: the last shard to
			// finish (or -merge) writes the outputs.
			missing += len(res.Missing)
			failed += res.RanFailed
			if o.merge {
				names := res.Missing
				if len(names) > 10 {
					names = append(names[:10:10], fmt.Sprintf("and %d more", len(res.Missing)-10))
				}
				fmt.Fprintf(stderr, "%s: %d of %d units not finished: %s\n", d.Name, len(res.Missing),
					len(res.Missing)+len(res.Units), strings.Join(names, ", "))
			} else {
				fmt.Fprintf(stdout, "%s: shard %s ran its %d units; %d units of other shards are not finished yet, "+
					"so the outputs are left to the last shard to finish (or to -merge)\n", d.Name, shard, res.Ran, len(res.Missing))
			}
			continue
		}
		// The points.csv being replaced is the reference the new points
		// reproduce, or not.
		ref, err := readReference(filepath.Join(res.Dir, "points.csv"))
		if err != nil {
			return err
		}
		// The command recorded is the unsharded one: it reproduces the
		// result, and makes a merged result byte-identical to one run.
		if err := study.Write(res, study.Meta{Command: command(o, names), Backend: backend.Name(),
			Commit: gitCommit(env.Out), Workers: env.Workers}); err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
		fmt.Fprintf(stdout, "%s: %d points, %d units (%d failed) → %s\n", d.Name, len(res.Points), len(res.Units),
			res.Failed(), res.Dir)
		if ref != nil {
			fmt.Fprintf(stdout, "%s: points.csv %s\n", d.Name, report.Compare(ref, res.Points))
		} else {
			fmt.Fprintf(stdout, "%s: points.csv is new: there was no reference to compare it with\n", d.Name)
		}
		failed += res.Failed()
	}
	bar.Finish()
	fmt.Fprintf(stdout, "done in %s\n", time.Since(start).Round(time.Second))
	switch {
	case failed > 0:
		return fmt.Errorf("%d units failed (listed in each summary.md)", failed)
	case missing > 0 && o.merge:
		return fmt.Errorf("-merge: %d units not finished; run the shards that own them (or the command without -shard) first", missing)
	}
	return nil
}

// readReference reads the points.csv a run is about to replace: nil when
// there is none. One that cannot be read is an error naming it, before
// anything is overwritten.
func readReference(path string) ([]report.Point, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	pts, err := report.ReadPoints(path, f)
	if err != nil {
		return nil, fmt.Errorf("the reference to compare with: %w", err)
	}
	return pts, nil
}

// newBar makes the progress bar, shown only when w is a terminal; its
// total grows with the work planned (barProgress).
func newBar(w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions(0, progressbar.OptionSetWriter(w), progressbar.OptionSetVisibility(isTerminal(w)),
		progressbar.OptionSetDescription("pruning study"),
		progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(250*time.Millisecond),
		progressbar.OptionClearOnFinish())
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// command reconstructs the command line that reproduces a result.
func command(o options, names []string) string {
	c := []string{"go run"}
	if backend.Name() != "gonum" {
		c = append(c, "-tags", backend.Name())
	}
	c = append(c, "./experiments")
	if o.quick {
		c = append(c, "-quick")
	}
	if o.set["out"] {
		c = append(c, "-out", o.out)
	}
	if o.baselines {
		c = append(c, "-baselines")
	}
	if o.everySeed {
		c = append(c, "-every-seed")
	}
	if o.set["baselines-dir"] {
		c = append(c, "-baselines-dir", o.baselinesDir)
	}
	if o.all {
		c = append(c, "-all")
	} else if o.set["baselines"] || len(o.names) > 0 {
		c = append(c, names...)
	}
	return strings.Join(c, " ")
}

// gitCommit names the commit the results came from ("unknown" outside a
// checkout), with "+dirty" when files other than those under out (the
// results being rewritten) have uncommitted changes. That is the working
// directory's commit for `go run`; a binary built elsewhere carries the
// commit it was built from (its build information), which is the one
// named when it differs from the working directory's (a binary built at
// one commit and run in a checkout of another: its definitions are those
// of the commit it was built from).
func gitCommit(out string) string {
	var buildRev string
	var buildModified bool
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				buildRev = s.Value
			case "vcs.modified":
				buildModified = s.Value == "true"
			}
		}
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return commitOf(buildRev, buildModified, "", false)
	}
	st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)"+out).Output()
	return commitOf(buildRev, buildModified, strings.TrimSpace(string(head)), err == nil && len(st) > 0)
}

// commitOf is gitCommit's rule: the working directory's commit head (dirty
// when its files other than the results have changes) unless the binary
// was built from another commit, buildRev (modified when its checkout had
// changes then); "unknown" when neither is known.
func commitOf(buildRev string, buildModified bool, head string, dirty bool) string {
	c, mark := head, dirty
	if buildRev != "" && buildRev != head {
		c, mark = buildRev, buildModified
	}
	switch {
	case c == "":
		return "unknown"
	case mark:
		return c + "+dirty"
	}
	return c
}
