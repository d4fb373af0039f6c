// Package study runs declarative pruning experiments: it trains (or finds
// in its cache) the dense network of each seed, runs every method and
// scope through the definition's schedule, and writes points.csv,
// summary.md, figures and manifest.json.
//
// The unit of work is one (method, scope, seed) run of the schedule. Each
// finished unit is written atomically under units/, named by the
// definition's hash and the unit's coordinates; a rerun loads finished
// units instead of running them again, so an interrupted study resumes
// where it stopped. The trained dense network of a (network, data,
// recipe, seed) is cached and shared by every method and definition, so
// all methods start from the same weights.
//
// The schedule (schedule.go) is the science: a sweep deletes, measures and
// retrains one dense net along the grid, and reads and writes no files.
// Around it, data.go prepares the sets, dense.go keeps the dense-net cache,
// store.go a unit's files, shard.go splits the units between processes,
// and run.go (Run) gathers, chooses and computes. Progress and what
// finished or failed go out as events to a Recorder (recorder.go): the
// package never prints.
package study
