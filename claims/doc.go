// Package claims computes the numbers that EXPERIMENTS.md states from the
// files under results/: the paper's claims checked against our points
// (Fig. 1a counts, Fig. 1b ratios, Fig. 2 differences, Han et al.'s rows
// at 92% deleted), comparisons between pruning curves, the best dense
// baseline per network, timings from manifest.json, the rank statistics of
// the Hessian-gap report, and the rows of the tables.
//
// Every function here is pure: it takes points (report.Point), baseline
// rows or parsed files and returns numbers or table rows; reading files and
// writing EXPERIMENTS.md are the experiments command's business. A level
// is a deleted fraction in [0, 1]; errors and objectives are the fractions
// and means of points.csv, never percentages.
package claims
