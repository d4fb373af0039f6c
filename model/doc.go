// Package model holds the networks of the harness and their derivatives.
//
// Every layer keeps its three passes side by side in one file: Forward, the
// first-order Backward (gradient), and Backward2, the diagonal second-order
// backward pass of Le Cun, Denker & Solla (1989), eqs. (5)–(8) of
// shared/reference/PAPER.md. A layer sees a Buf: the chunk's input, its own
// pre-activations and outputs, the derivative buffers, and the slices of the
// flat parameter, gradient and Hessian-diagonal vectors that belong to it.
//
// The arithmetic is float64, except in training with a recipe's precision:
// float32 (train.Recipe.Precision), which runs the forward and first-order
// backward passes in float32 on an Engine32. Both precisions are one
// implementation: each layer's Forward and Backward (float64) and Forward32
// and Backward32 (float32) call the same generic function, over Buf[T]
// (Float), and the products go to blas64's Dgemm or blas32's Sgemm. The
// second-order pass stays float64 only: the Hessian diagonal sums tens of
// thousands of small positive terms per parameter, where float32 would lose
// digits that the finite-difference checks rely on; so do the losses, which
// are computed and summed in float64 in either precision.
//
// Units: the objective of a pattern is E = Σ_i (d_i − x_i)² for the squared
// error loss (no ½, so eq. 8 holds as printed) and −log p_label for softmax
// cross-entropy. Sets report the mean of E over patterns.
package model
