// Package model holds the networks of the harness and their derivatives.
//
// Every layer keeps its three passes side by side in one file: Forward, the
// first-order Backward (gradient), and Backward2, the diagonal second-order
// backward pass of Le Cun, Denker & Solla (1989), eqs. (5)–(8) of
// shared/reference/PAPER.md. A layer sees a Buf: the chunk's input, its own
// pre-activations and outputs, the derivative buffers, and the slices of the
// flat parameter, gradient and Hessian-diagonal vectors that belong to it.
//
// All arithmetic is float64. The nets are small enough that memory bandwidth
// is not the limit, gonum's BLAS is float64-native, and the Hessian diagonal
// sums tens of thousands of small positive terms per parameter, where float32
// would lose digits that the finite-difference checks rely on.
//
// Units: the objective of a pattern is E = Σ_i (d_i − x_i)² for the squared
// error loss (no ½, so eq. 8 holds as printed) and −log p_label for softmax
// cross-entropy. Sets report the mean of E over patterns.
package model
