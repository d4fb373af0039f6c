package prune_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"obd/model"
	"obd/model/nettest"
	"obd/prune"
)

// layerInput returns the input of layer li of net for one sample x,
// computed by running the layers before it as a net of their own (not
// through Workspace.Input, which obs-layerwise uses).
func layerInput(net *model.Net, theta, x []float64, li int) []float64 {
	if li == 0 {
		return slices.Clone(x)
	}
	pre := model.NewNet("prefix", net.Input, net.Inputs, net.Loss, net.Layers[:li]...)
	ws := pre.NewWorkspace(1)
	copy(ws.X, x)
	return slices.Clone(ws.Forward(theta[:net.Offset(li)], 1))
}

// The Hessian of each layer's reconstruction error is H = (2/N) Σ z zᵀ,
// z the inputs each parameter of an output unit multiplies (1 for its
// bias) summed over the unit's connections: built here from the layers'
// wiring (Layer.Wire) and inputs computed apart, unit by unit, on every
// tiny net (full and table convolutions, subsampling, max pooling, fully
// connected), and compared with obs-layerwise's rows over the Hessian
// samples (every other sample). The rows partition the free parameters
// and hold every pair of parameters that share an output unit.
func TestOBSLayerwiseHessian(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 12, 61)
		idx := []int{0, 2, 4, 6, 8, 10}
		P := net.NumParams()
		direct := make([]float64, P*P)
		in := net.Input.Size()
		for _, s := range idx {
			x := d.X[s*in:][:in]
			for li, l := range net.Layers {
				if l.NumParams() == 0 {
					continue
				}
				xi := layerInput(net, theta, x, li)
				off := net.Offset(li)
				z := make([]map[int]float64, l.OutShape().Size())
				l.Wire(func(o, i, k int) {
					if k < 0 {
						return
					}
					if z[o] == nil {
						z[o] = map[int]float64{}
					}
					v := 1.0
					if i >= 0 {
						v = xi[i]
					}
					z[o][off+k] += v
				})
				for _, zo := range z {
					for k1, v1 := range zo {
						for k2, v2 := range zo {
							direct[k1*P+k2] += 2 * v1 * v2 / float64(len(idx))
						}
					}
				}
			}
		}
		st := &prune.State{Engine: model.NewEngine(net, 2), Theta: theta, Train: d, HessianIdx: idx}
		rows, hs, err := prune.LayerwiseRows(prune.OBSLayerwise{}, st)
		if err != nil {
			t.Fatal(err)
		}
		covered := make([]int, P)
		seen := make([]bool, P*P)
		for r, ks := range rows {
			n := len(ks)
			for a, k1 := range ks {
				covered[k1]++
				for b, k2 := range ks {
					seen[k1*P+k2] = true
					if want := direct[k1*P+k2]; math.Abs(hs[r][a*n+b]-want) > 1e-12*(1+math.Abs(want)) {
						t.Errorf("%s: H[%s, %s] = %.15g, direct sum %.15g", net.Name, net.ParamName(k1), net.ParamName(k2), hs[r][a*n+b], want)
					}
				}
			}
		}
		for k, c := range covered {
			if c != 1 {
				t.Errorf("%s: %s is in %d rows", net.Name, net.ParamName(k), c)
			}
		}
		for i, v := range direct {
			if v != 0 && !seen[i] {
				t.Errorf("%s: %s and %s share an output unit but not a row", net.Name, net.ParamName(i/P), net.ParamName(i%P))
			}
		}
	}
}

// On a single linear layer (fc-identity-mse: outputs a = W x + b), the
// reconstruction error of the outputs is exactly quadratic: one
// obs-layerwise deletion (damping 1e-12: essentially none) increases
// (1/N) Σ ‖a − â‖² by exactly the predicted L_q, is the least of the
// first deletions' costs (Scores), leaves the other rows alone, and sets
// the deleted parameter's row to the least-squares fit of the dense
// outputs over the inputs left (QR, apart from obs-layerwise's normal
// equations). Six deletions too: each row is its least-squares fit with
// its deleted parameters at zero, and the predicted sum is the actual
// increase.
func TestOBSLayerwiseLeastSquares(t *testing.T) {
	net := nettest.SingleLayerNets()[1]
	theta, d := nettest.RandomProblem(net, 30, 41)
	in, out := net.Input.Size(), net.Outputs()
	outputs := func(th []float64) []float64 {
		ws := net.NewWorkspace(d.N)
		copy(ws.X, d.X)
		return slices.Clone(ws.Forward(th, d.N))
	}
	a0 := outputs(theta)
	recon := func(th []float64) float64 {
		var e float64
		for i, v := range outputs(th) {
			e += (v - a0[i]) * (v - a0[i])
		}
		return e / float64(d.N)
	}
	m := prune.OBSLayerwise{Damping: 1e-12}
	st := &prune.State{Engine: model.NewEngine(net, 1), Theta: theta, Train: d}
	sc, err := m.Scores(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 6} {
		sg, err := m.Surgeon(st)
		if err != nil {
			t.Fatal(err)
		}
		th, mask, pred, err := sg.DeleteTo(n)
		if err != nil {
			t.Fatal(err)
		}
		if actual := recon(th); nettest.RelErr(actual, pred, 1e-12) > 1e-8 {
			t.Errorf("%d deleted: reconstruction error rose by %.12g, predicted %.12g", n, actual, pred)
		}
		if n == 1 {
			q := slices.Index(mask, false)
			if slices.Min(sc) != sc[q] || nettest.RelErr(sc[q], pred, 1e-15) > 1e-12 {
				t.Errorf("deleted %s (first cost %g, predicted %g); lowest first cost %g", net.ParamName(q), sc[q], pred, slices.Min(sc))
			}
		}
		for o := range out {
			// row o: weights o·in+j, bias out·in+o; its free ones fit a0[·, o].
			ks := []int{}
			for j := range in {
				ks = append(ks, o*in+j)
			}
			ks = append(ks, out*in+o)
			var free []int
			for _, k := range ks {
				if mask[k] {
					free = append(free, k)
				}
			}
			if len(free) == len(ks) {
				for _, k := range ks {
					if th[k] != theta[k] {
						t.Errorf("%d deleted: %s changed (%g → %g) though its row lost nothing", n, net.ParamName(k), theta[k], th[k])
					}
				}
				continue
			}
			z := mat.NewDense(d.N, len(free), nil)
			y := mat.NewVecDense(d.N, nil)
			for s := range d.N {
				for c, k := range free {
					v := 1.0
					if k < out*in {
						v = d.X[s*in+k-o*in]
					}
					z.Set(s, c, v)
				}
				y.SetVec(s, a0[s*out+o])
			}
			var fit mat.VecDense
			if err := fit.SolveVec(z, y); err != nil {
				t.Fatal(err)
			}
			for c, k := range free {
				if math.Abs(th[k]-fit.AtVec(c)) > 1e-8*(1+math.Abs(fit.AtVec(c))) {
					t.Errorf("%d deleted: %s = %.12g, least squares %.12g", n, net.ParamName(k), th[k], fit.AtVec(c))
				}
			}
		}
	}
}

// Deletion counts: a chain deletes exactly the count asked, never revives
// a parameter, and per layer gives each layer ⌊np/P⌋ or ⌈np/P⌉ of its p
// parameters; the same chain on 1 and 3 workers is the same bit for bit.
func TestOBSLayerwiseCounts(t *testing.T) {
	m, _ := prune.New("obs-layerwise")
	sm := m.(prune.ScopedUpdater)
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 20, 71)
		P := net.NumParams()
		for _, scope := range []prune.Scope{prune.Global, prune.PerLayer} {
			var first [][]float64
			for _, workers := range []int{1, 3} {
				st := &prune.State{Engine: model.NewEngine(net, workers), Theta: theta, Train: d}
				sg, err := sm.SurgeonIn(st, scope)
				if err != nil {
					t.Fatal(err)
				}
				prev := make([]bool, P)
				for k := range prev {
					prev[k] = true
				}
				var got [][]float64
				for _, f := range []float64{0.2, 0.5, 0.9, 0.97} {
					n := int(math.Round(f * float64(P)))
					th, mask, pred, err := sg.DeleteTo(n)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, th, []float64{pred})
					if c := P - countAlive(mask); c != n {
						t.Errorf("%s %s: %d deleted, want %d", net.Name, scope, c, n)
					}
					if !subsetOf(mask, prev) {
						t.Errorf("%s %s at %v: a deleted parameter revived", net.Name, scope, f)
					}
					prev = mask
					if scope != prune.PerLayer {
						continue
					}
					for li, l := range net.Layers {
						lo, hi := net.Offset(li), net.Offset(li+1)
						p := hi - lo
						if p == 0 {
							continue
						}
						c := (hi - lo) - countAlive(mask[lo:hi])
						if c < n*p/P || c > (n*p+P-1)/P {
							t.Errorf("%s per layer, %d deleted: layer %s deleted %d of %d, want ⌊%d·%d/%d⌋ or ⌈⌉", net.Name, n, l.Name(), c, p, n, p, P)
						}
					}
				}
				if first == nil {
					first = got
				} else {
					for i := range got {
						if !slices.Equal(got[i], first[i]) {
							t.Errorf("%s %s: 3 workers differ from 1", net.Name, scope)
							break
						}
					}
				}
			}
		}
	}
	if _, err := sm.SurgeonIn(&prune.State{}, prune.Budget); err == nil {
		t.Error("obs-layerwise in scope budget: no error")
	}
}

// subsetOf reports whether every alive parameter of a is alive in b.
func subsetOf(a, b []bool) bool {
	for k := range a {
		if a[k] && !b[k] {
			return false
		}
	}
	return true
}
