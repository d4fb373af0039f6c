package study

import (
	"fmt"
)

// Shard selects a deterministic part of a definition's units, so that
// several processes (a Slurm job array, a Kubernetes Indexed Job) can share
// one sweep. The units, in the order (seed, method, scope), are cut into
// Count contiguous blocks; shard Index (0-based) runs block Index.
// Contiguous blocks keep the seeds, and so the dense nets, a shard needs
// few. The zero Shard is the whole sweep.
type Shard struct{ Index, Count int }

// owns says whether unit k of n belongs to the shard.
func (s Shard) owns(k, n int) bool {
	return s.Count <= 1 || k*s.Count/n == s.Index
}

func (s Shard) String() string {
	if s.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}
