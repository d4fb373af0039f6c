package main

import (
	"fmt"
	"strconv"
	"strings"

	"obd/study"
)

// parseShard reads -shard:
//
//	I/N     shard I (0-based) of N
//	auto    a Slurm job array: I and N from SLURM_ARRAY_TASK_ID,
//	        SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP and SLURM_ARRAY_TASK_COUNT
//	auto/N  N shards, I from JOB_COMPLETION_INDEX (a Kubernetes Indexed
//	        Job, whose completion count the pod cannot see) or else from Slurm
//
// An empty spec is the whole sweep.
func parseShard(spec string, getenv func(string) string) (study.Shard, error) {
	if spec == "" {
		return study.Shard{}, nil
	}
	bad := func(format string, args ...any) (study.Shard, error) {
		return study.Shard{}, fmt.Errorf("-shard %s: %s", spec, fmt.Sprintf(format, args...))
	}
	idx, count, hasCount := strings.Cut(spec, "/")
	n := 0
	if hasCount {
		var err error
		if n, err = strconv.Atoi(count); err != nil || n < 1 {
			return bad("the shard count %q is not a positive integer", count)
		}
	}
	i := 0
	switch {
	case idx == "auto" && getenv("JOB_COMPLETION_INDEX") != "":
		if !hasCount {
			return bad("JOB_COMPLETION_INDEX is set but the shard count is not: use -shard auto/N with N the Job's completions")
		}
		v := getenv("JOB_COMPLETION_INDEX")
		var err error
		if i, err = strconv.Atoi(v); err != nil {
			return bad("JOB_COMPLETION_INDEX=%q is not an integer", v)
		}
	case idx == "auto" && getenv("SLURM_ARRAY_TASK_ID") != "":
		env := map[string]int{}
		for _, k := range []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT"} {
			v := getenv(k)
			if v == "" {
				continue
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				return bad("%s=%q is not an integer", k, v)
			}
			env[k] = x
		}
		step := max(env["SLURM_ARRAY_TASK_STEP"], 1)
		off := env["SLURM_ARRAY_TASK_ID"] - env["SLURM_ARRAY_TASK_MIN"]
		if off%step != 0 {
			return bad("SLURM_ARRAY_TASK_ID=%d is not MIN+k·STEP (MIN %d, STEP %d)", env["SLURM_ARRAY_TASK_ID"],
				env["SLURM_ARRAY_TASK_MIN"], step)
		}
		i = off / step
		if !hasCount {
			c, ok := env["SLURM_ARRAY_TASK_COUNT"]
			if !ok {
				return bad("SLURM_ARRAY_TASK_COUNT is not set: use -shard auto/N")
			}
			n = c
		}
	case idx == "auto":
		return bad("neither JOB_COMPLETION_INDEX (Kubernetes) nor SLURM_ARRAY_TASK_ID (Slurm) is set")
	default:
		if !hasCount {
			return bad("want I/N (0 ≤ I < N), auto or auto/N")
		}
		var err error
		if i, err = strconv.Atoi(idx); err != nil {
			return bad("the shard index %q is not an integer", idx)
		}
	}
	if i < 0 || i >= n {
		return bad("shard index %d is outside 0..%d (indices are 0-based)", i, n-1)
	}
	return study.Shard{Index: i, Count: n}, nil
}
