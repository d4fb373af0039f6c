// Package curvature estimates the diagonal of a network's Hessian and turns
// it into OBD saliencies s_k = h_kk·u_k²/2, and computes the full Hessian
// where it fits (Matrix).
//
// Estimators, all averaged over the samples they are given:
//
//   - LM: the paper's diagonal second-order backward pass (eqs. 5–8) with
//     the f” terms dropped — the Levenberg–Marquardt form, never negative,
//     and the default. Same order of cost as a gradient pass.
//   - Full: the same recursion keeping the f” terms.
//   - GaussNewton: the exact Gauss–Newton diagonal diag(Σ_n J_nᵀ H_out J_n),
//     from one backward pass per output unit and sample.
//   - Hessian: the exact Hessian diagonal, from central differences of the
//     analytic gradient with Richardson extrapolation (2 gradient sweeps per
//     parameter at two step sizes: affordable on small nets and subsets).
//   - Fisher: the empirical Fisher diagonal, the mean of squared per-sample
//     gradients.
//
// Matrix computes the full Hessian over chosen free parameters, in the
// exact Gauss–Newton form or exactly (from differences of the gradient),
// for Optimal Brain Surgeon (package prune); its diagonal is the
// GaussNewton or Hessian estimator's.
//
// The recursion propagates only diagonal terms (eq. 7 drops ∂²E/∂a_i∂a_l
// for i ≠ l), and a shared weight's h_kk sums ∂²E/∂w_ij² over its
// connections without their cross terms (eq. 5). It is therefore exact for
// a single fully connected layer and an approximation of the Gauss–Newton
// (LM) or Hessian (Full) diagonal for anything deeper or shared; the tests
// measure by how much.
package curvature
