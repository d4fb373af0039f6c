//go:build !unix

package study

// processGone cannot tell here: a lock is judged by its age alone.
func processGone(pid int) bool { return false }
