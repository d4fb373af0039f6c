//go:build !openblas

package backend

const name = "gonum"
