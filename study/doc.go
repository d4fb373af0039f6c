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
package study
