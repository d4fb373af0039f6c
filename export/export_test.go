package export

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"

	"obd/model"
)

// state is what WriteNPZ takes besides the net.
type state struct {
	theta, hdiag, sal []float64
	mask              []bool
	idx               []int
	meta              Meta
}

// randomState draws parameters (biases and subsampling coefficients
// included), a mask keeping about 70% of them with θ = 0 at the deleted
// ones, as the harness keeps it, positive h_kk and the matching saliencies.
func randomState(net *model.Net, seed uint64) state {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := state{theta: net.Init(seed), idx: []int{0, 5, 123, 59999},
		meta: Meta{Network: net.Name, Definition: "test", DefinitionHash: "0123456789ab", Seed: seed, DigitSize: 16, Estimator: "lm"}}
	n := len(s.theta)
	s.mask, s.hdiag, s.sal = make([]bool, n), make([]float64, n), make([]float64, n)
	for k := range s.theta {
		if s.theta[k] == 0 {
			s.theta[k] = 0.1 * (2*rng.Float64() - 1)
		}
		s.mask[k] = rng.Float64() < 0.7
		if !s.mask[k] {
			s.theta[k] = 0
		}
		s.hdiag[k] = rng.ExpFloat64()
		s.sal[k] = s.hdiag[k] * s.theta[k] * s.theta[k] / 2
	}
	return s
}

func write(t *testing.T, net *model.Net, s state) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), net.Name+".npz")
	if err := WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, s.idx, s.meta); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	shared = map[string]string{} // net name → archive of randomState(net, 1)
	dir    string
)

// exported returns randomState(net, 1) and its archive, written once for all
// tests (writing lenet5 takes a second).
func exported(t *testing.T, net *model.Net) (state, string) {
	t.Helper()
	s := randomState(net, 1)
	path, ok := shared[net.Name]
	if !ok {
		path = filepath.Join(dir, net.Name+".npz")
		if err := WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, s.idx, s.meta); err != nil {
			t.Fatal(err)
		}
		shared[net.Name] = path
	}
	return s, path
}

func TestMain(m *testing.M) {
	var err error
	if dir, err = os.MkdirTemp("", "export-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// raw is an array as numpy sees it.
type raw struct {
	shape []int
	data  any
}

// readRaw reads every array of the archive at path, keyed as numpy.load
// keys them (the entry name without ".npy").
func readRaw(t *testing.T, path string) map[string]raw {
	t.Helper()
	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := map[string]raw{}
	for _, k := range r.Keys() {
		var a npy.Array
		if err := r.Read(k, &a); err != nil {
			t.Fatal(err)
		}
		name, ok := strings.CutSuffix(k, ".npy")
		if !ok || a.Fortran() {
			t.Fatalf("entry %q (fortran %v)", k, a.Fortran())
		}
		m[name] = raw{a.Shape(), a.Data()}
	}
	return m
}

func f64(t *testing.T, m map[string]raw, name string) []float64 {
	t.Helper()
	d, ok := m[name].data.([]float64)
	if !ok {
		t.Fatalf("%s: %T, want []float64", name, m[name].data)
	}
	return d
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestRoundTrip: θ and the mask come back bit for bit; every array has its
// PyTorch shape; hdiag and saliency sit at the same places as θ and are 0
// wherever the dense tensor has no free parameter; the indices survive.
func TestRoundTrip(t *testing.T) {
	for _, name := range model.Names() {
		t.Run(name, func(t *testing.T) {
			net, _ := model.ByName(name)
			s, path := exported(t, net)
			theta, mask, err := ReadNPZ(path, net)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBits(theta, s.theta) || !slices.Equal(mask, s.mask) {
				t.Fatal("θ or mask changed in the round trip")
			}
			m := readRaw(t, path)
			want := 1
			for li, l := range net.Layers {
				for _, tn := range l.Tensors() {
					idx, err := denseIndex(l, tn)
					if err != nil {
						t.Fatal(err)
					}
					lo := net.Offset(li) + tn.Offset
					for j, v := range [][]float64{s.theta, s.hdiag, s.sal} {
						a := l.Name() + "." + tn.Name + []string{"", ".hdiag", ".saliency"}[j]
						want++
						if !slices.Equal(m[a].shape, tn.Shape) {
							t.Fatalf("%s: shape %v, want %v", a, m[a].shape, tn.Shape)
						}
						d := slices.Clone(f64(t, m, a))
						if idx != nil {
							free := make([]float64, tn.Len)
							for q, k := range idx {
								free[q], d[k] = d[k], 0
							}
							if slices.ContainsFunc(d, func(v float64) bool { return v != 0 }) {
								t.Fatalf("%s: nonzero at an unconnected entry", a)
							}
							d = free
						}
						if !sameBits(d, v[lo:lo+tn.Len]) {
							t.Fatalf("%s: values not at their places", a)
						}
					}
					want++ // the mask, checked by ReadNPZ
				}
			}
			want += 6 // meta.*
			if len(m) != want {
				t.Errorf("%d arrays, want %d", len(m), want)
			}
			if got := m[IndicesName]; !slices.Equal(got.shape, []int{len(s.idx)}) || !slices.Equal(got.data.([]int64), []int64{0, 5, 123, 59999}) {
				t.Errorf("%s = %v %v", IndicesName, got.shape, got.data)
			}
		})
	}
}

// TestLeNet1TableConv: h3.weight is the dense [12,4,5,5] tensor with a nil
// mask giving exactly 20×25 ones, at the pairs of model.H3Table, and zero
// weights elsewhere.
func TestLeNet1TableConv(t *testing.T) {
	net := model.LeNet1()
	s := randomState(net, 2)
	s.mask = nil
	m := readRaw(t, write(t, net, s))
	w, mk := f64(t, m, "h3.weight"), f64(t, m, "h3.weight.mask")
	if !slices.Equal(m["h3.weight"].shape, []int{12, 4, 5, 5}) || !slices.Equal(m["h3.weight.mask"].shape, []int{12, 4, 5, 5}) {
		t.Fatalf("shapes %v %v", m["h3.weight"].shape, m["h3.weight.mask"].shape)
	}
	ones := 0
	for k, v := range mk {
		o, i := k/100, k/25%4
		conn := slices.Contains(model.H3Table[o], i)
		if v != 0 && v != 1 || (v == 1) != conn || !conn && w[k] != 0 {
			t.Fatalf("entry %d (o=%d, i=%d): weight %v mask %v, connected %v", k, o, i, w[k], v, conn)
		}
		ones += int(v)
	}
	if ones != 20*25 {
		t.Errorf("%d mask ones, want 500", ones)
	}
}

// TestForwardEquivalence runs a naive dense forward pass that reads only the
// exported arrays, as docs/EXPORT.md tells a PyTorch user to, and compares
// it with the harness's Workspace.Forward.
func TestForwardEquivalence(t *testing.T) {
	for _, name := range model.Names() {
		t.Run(name, func(t *testing.T) {
			net, _ := model.ByName(name)
			s, path := exported(t, net)
			m := readRaw(t, path)
			p := func(name string) []float64 { // the weight times its mask
				w, mk := slices.Clone(f64(t, m, name)), f64(t, m, name+".mask")
				for k := range w {
					w[k] *= mk[k]
				}
				return w
			}
			const n = 3
			rng := rand.New(rand.NewPCG(4, 4))
			ws := net.NewWorkspace(n)
			for k := range ws.X {
				ws.X[k] = float64(rng.IntN(256))/255*2 - 1 // lenet1: g/127.5 − 1
				if name != "lenet1" {
					ws.X[k] = float64(rng.IntN(256)) / 255 // g/255
				}
			}
			got := ws.Forward(s.theta, n)
			for i := range n {
				x := ten{slices.Clone(ws.X[i*784 : (i+1)*784]), 1, 28, 28}
				var y ten
				switch name {
				case "lenet1":
					x = conv2d(x, p("h1.weight"), p("h1.bias"), 4, 5).apply(tanh)
					x = subsample(x, p("h2.weight"), p("h2.bias")).apply(tanh)
					x = conv2d(x, p("h3.weight"), p("h3.bias"), 12, 5).apply(tanh)
					x = subsample(x, p("h4.weight"), p("h4.bias")).apply(tanh)
					y = linear(x, p("out.weight"), p("out.bias")).apply(tanh)
				case "lenet300":
					x = linear(x, p("fc1.weight"), p("fc1.bias")).apply(relu)
					x = linear(x, p("fc2.weight"), p("fc2.bias")).apply(relu)
					y = linear(x, p("fc3.weight"), p("fc3.bias"))
				case "lenet5":
					x = maxpool(conv2d(x, p("conv1.weight"), p("conv1.bias"), 20, 5))
					x = maxpool(conv2d(x, p("conv2.weight"), p("conv2.bias"), 50, 5))
					x = linear(x, p("fc1.weight"), p("fc1.bias")).apply(relu)
					y = linear(x, p("fc2.weight"), p("fc2.bias"))
				default:
					t.Fatalf("no naive forward for %s", name)
				}
				for j, v := range y.d {
					if h := got[i*10+j]; math.Abs(v-h) > 1e-12 {
						t.Fatalf("sample %d output %d: naive %v, harness %v", i, j, v, h)
					}
				}
			}
		})
	}
}

// ten is a C×H×W tensor, row-major.
type ten struct {
	d       []float64
	c, h, w int
}

func (x ten) at(c, y, z int) float64 { return x.d[(c*x.h+y)*x.w+z] }

func (x ten) apply(f func(float64) float64) ten {
	for k, v := range x.d {
		x.d[k] = f(v)
	}
	return x
}

func tanh(a float64) float64 { return 1.7159 * math.Tanh(2*a/3) }
func relu(a float64) float64 { return max(a, 0) }

// conv2d is torch.nn.functional.conv2d with stride 1, no padding: weight
// [o, x.c, k, k], bias [o].
func conv2d(x ten, w, b []float64, o, k int) ten {
	y := ten{nil, o, x.h - k + 1, x.w - k + 1}
	for m := range o {
		for r := range y.h {
			for c := range y.w {
				a := b[m]
				for i := range x.c {
					for u := range k {
						for v := range k {
							a += w[((m*x.c+i)*k+u)*k+v] * x.at(i, r+u, c+v)
						}
					}
				}
				y.d = append(y.d, a)
			}
		}
	}
	return y
}

// subsample is lenet1's a = c·(x00 + x01 + x10 + x11) + b per map.
func subsample(x ten, c, b []float64) ten {
	y := ten{nil, x.c, x.h / 2, x.w / 2}
	for m := range x.c {
		for r := range y.h {
			for q := range y.w {
				s := x.at(m, 2*r, 2*q) + x.at(m, 2*r, 2*q+1) + x.at(m, 2*r+1, 2*q) + x.at(m, 2*r+1, 2*q+1)
				y.d = append(y.d, c[m]*s+b[m])
			}
		}
	}
	return y
}

// maxpool is torch.nn.functional.max_pool2d(x, 2).
func maxpool(x ten) ten {
	y := ten{nil, x.c, x.h / 2, x.w / 2}
	for m := range x.c {
		for r := range y.h {
			for q := range y.w {
				y.d = append(y.d, max(x.at(m, 2*r, 2*q), x.at(m, 2*r, 2*q+1), x.at(m, 2*r+1, 2*q), x.at(m, 2*r+1, 2*q+1)))
			}
		}
	}
	return y
}

// linear is torch.nn.functional.linear on the flattened x: weight [out, in].
func linear(x ten, w, b []float64) ten {
	y := ten{slices.Clone(b), len(b), 1, 1}
	for o := range b {
		for j, v := range x.d {
			y.d[o] += w[o*len(x.d)+j] * v
		}
	}
	return y
}

// TestWriteErrors: bad lengths are refused and a failed write leaves no
// file. (A missing directory is created, as for every output.)
func TestWriteErrors(t *testing.T) {
	net := model.LeNet1()
	s := randomState(net, 5)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.npz")
	short := s.theta[:10]
	withNaN := func(v []float64) []float64 {
		v = slices.Clone(v)
		v[len(v)-1] = math.NaN() // out.bias[9], kept
		return v
	}
	for what, err := range map[string]error{
		"out.bias[9] is NaN":          WriteNPZ(path, net, withNaN(s.theta), nil, s.hdiag, s.sal, s.idx, s.meta),
		"out.bias.hdiag[9] is NaN":    WriteNPZ(path, net, s.theta, nil, withNaN(s.hdiag), s.sal, s.idx, s.meta),
		"out.bias.saliency[9] is NaN": WriteNPZ(path, net, s.theta, nil, s.hdiag, withNaN(s.sal), s.idx, s.meta),
		"theta":                       WriteNPZ(path, net, short, s.mask, s.hdiag, s.sal, s.idx, s.meta),
		"mask":                        WriteNPZ(path, net, s.theta, s.mask[:10], s.hdiag, s.sal, s.idx, s.meta),
		"hdiag":                       WriteNPZ(path, net, s.theta, s.mask, nil, s.sal, s.idx, s.meta),
		"saliency":                    WriteNPZ(path, net, s.theta, s.mask, s.hdiag, short, s.idx, s.meta),
		"no Hessian image indices":    WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, nil, s.meta),
		"index 0 at position 1":       WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, []int{5, 0}, s.meta),
		"index 5 at position 1":       WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, []int{5, 5}, s.meta),
		"index -1 at position 0":      WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, []int{-1, 5}, s.meta),
		"index 60000 at position 1":   WriteNPZ(path, net, s.theta, s.mask, s.hdiag, s.sal, []int{5, 60000}, s.meta),
		"dir":                         WriteNPZ(t.TempDir(), net, s.theta, s.mask, s.hdiag, s.sal, s.idx, s.meta),
	} {
		if err == nil || strings.Contains(what, " ") && !strings.Contains(err.Error(), what) {
			t.Errorf("%s: error %v", what, err)
		} else {
			t.Logf("%s: %v", what, err)
		}
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if es, _ := os.ReadDir(d); slices.ContainsFunc(es, func(e os.DirEntry) bool { return !e.IsDir() }) {
			t.Errorf("%s holds files after failed writes: %v", d, es)
		}
	}
}

// TestReadErrors: ReadNPZ names what is wrong with an archive.
func TestReadErrors(t *testing.T) {
	net := model.LeNet1()
	s := randomState(net, 6)
	cases := []struct {
		want string
		edit func([]array) []array
	}{
		{"missing array out.bias.mask", func(a []array) []array {
			return slices.DeleteFunc(a, func(x array) bool { return x.name == "out.bias.mask" })
		}},
		{"h1.weight: shape [4 25], want [4 1 5 5]", func(a []array) []array { a[0].shape = []int{4, 25}; return a }},
		{"h1.bias: dtype", func(a []array) []array { a[4] = array{name: "h1.bias", i64: make([]int64, 4)}; return a }},
		{"h3.weight[0,3,4,4] is 1, which is not a free parameter", func(a []array) []array {
			for _, x := range a {
				if x.name == "h3.weight" {
					x.f64[3*25+24] = 1 // h3 map 0 does not read H2 map 3
				}
			}
			return a
		}},
		{"h2.weight.mask[0]: value 0.5", func(a []array) []array { a[9].f64[0] = 0.5; return a }},
		// Values that are no number: a NaN or infinite weight would be
		// returned as the net's (before, they were).
		{"h1.weight[0,0,0,1] is NaN: want a finite number", func(a []array) []array {
			a[0].f64[1] = math.NaN()
			return a
		}},
		{"h1.bias[2] is +Inf: want a finite number", func(a []array) []array { a[4].f64[2] = math.Inf(1); return a }},
		{"meta.network is \"lenet5\", not lenet1", func(a []array) []array {
			for i, x := range a {
				if x.name == metaNetwork {
					a[i].scalar = "lenet5"
				}
			}
			return a
		}},
	}
	for _, c := range cases {
		a, err := arrays(net, s.theta, s.mask, s.hdiag, s.sal, s.idx, s.meta)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x.npz")
		if err := writeAtomic(path, c.edit(a)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ReadNPZ(path, net); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
	if _, _, err := ReadNPZ(filepath.Join(t.TempDir(), "none.npz"), net); err == nil {
		t.Error("no error for a missing file")
	}
	// A damaged archive (cut short, or garbage) is an error naming the
	// file, for ReadNPZ and ReadMeta alike; before, the zip reader's
	// error came without the path.
	whole, err := os.ReadFile(write(t, net, s))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"cut short": whole[:len(whole)/2], "garbage": []byte("not a zip archive at all")} {
		path := filepath.Join(t.TempDir(), "damaged.npz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ReadNPZ(path, net); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadNPZ of an archive %s: err %v, want one naming %s", name, err, path)
		}
		if _, err := ReadMeta(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadMeta of an archive %s: err %v, want one naming %s", name, err, path)
		}
	}
}

// A deleted parameter that is not 0 would make the archive's net differ
// from the pruned net it claims to be: WriteNPZ refuses it, and ReadNPZ
// refuses an archive holding one (it returned the unpruned net), both
// naming the tensor and the entry's numpy index.
func TestDeletedParameterNotZero(t *testing.T) {
	net := model.LeNet1()
	s := randomState(net, 8)
	// The last free weight of h3 sits at [11,3,4,4] (output map 11 reads
	// input maps 2 and 3); the first of out.weight at [0,0].
	h3, out := net.Offset(2)+499, net.Offset(4)
	for _, c := range []struct {
		k    int
		want string
	}{{h3, "h3.weight[11,3,4,4] is 0.25 where the mask deletes it"}, {out, "out.weight[0,0] is 0.25 where the mask deletes it"}} {
		theta, mask := slices.Clone(s.theta), slices.Clone(s.mask)
		theta[c.k], mask[c.k] = 0.25, false
		path := filepath.Join(t.TempDir(), "x.npz")
		err := WriteNPZ(path, net, theta, mask, s.hdiag, s.sal, s.idx, s.meta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("WriteNPZ: err = %v, want one containing %q", err, c.want)
		}
		// The same archive written by hand (or edited outside).
		mask[c.k] = true
		a, err := arrays(net, theta, mask, s.hdiag, s.sal, s.idx, s.meta)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if a[i].name == map[int]string{h3: "h3.weight.mask", out: "out.weight.mask"}[c.k] {
				a[i].f64[map[int]int{h3: 11*100 + 3*25 + 24, out: 0}[c.k]] = 0
			}
		}
		if err := writeAtomic(path, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ReadNPZ(path, net); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadNPZ: err = %v, want one containing %q", err, c.want)
		}
	}
}

// The metadata round-trips through ReadMeta; bad metadata is refused on
// writing, and a missing or mistyped meta array on reading.
func TestMeta(t *testing.T) {
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		s, path := exported(t, net)
		got, err := ReadMeta(path)
		if err != nil || got != s.meta {
			t.Errorf("%s: ReadMeta = %+v, %v; want %+v", name, got, err, s.meta)
		}
	}
	net := model.LeNet1()
	s := randomState(net, 9)
	for want, edit := range map[string]func(*Meta){
		`names network "lenet5", not lenet1`:    func(m *Meta) { m.Network = "lenet5" },
		"without the definition's name":         func(m *Meta) { m.Definition = "" },
		"without the definition's name or hash": func(m *Meta) { m.DefinitionHash = "" },
		"digit size -1 < 0":                     func(m *Meta) { m.DigitSize = -1 },
		`unknown Hessian estimator "LM"`:        func(m *Meta) { m.Estimator = "LM" },
	} {
		m := s.meta
		edit(&m)
		err := WriteNPZ(filepath.Join(t.TempDir(), "x.npz"), net, s.theta, s.mask, s.hdiag, s.sal, s.idx, m)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
	for want, edit := range map[string]func([]array) []array{
		"missing array meta.definition_hash": func(a []array) []array {
			return slices.DeleteFunc(a, func(x array) bool { return x.name == metaDefinitionHash })
		},
		"meta.seed: dtype": func(a []array) []array {
			for i := range a {
				if a[i].name == metaSeed {
					a[i].scalar = "1"
				}
			}
			return a
		},
		"meta.digit_size: shape [1], want a 0-d array": func(a []array) []array {
			for i := range a {
				if a[i].name == metaDigitSize {
					a[i].scalar, a[i].i64, a[i].shape = nil, []int64{16}, []int{1}
				}
			}
			return a
		},
	} {
		a, err := arrays(net, s.theta, s.mask, s.hdiag, s.sal, s.idx, s.meta)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x.npz")
		if err := writeAtomic(path, edit(a)); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadMeta(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadMeta: err = %v, want one containing %q", err, want)
		}
	}
}
