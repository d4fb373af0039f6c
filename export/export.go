// Package export writes a network's parameters, deletion mask, Hessian
// diagonal and saliencies to a NumPy .npz archive in PyTorch layouts, so
// that the pruned nets can be rebuilt outside the harness; docs/EXPORT.md
// describes the arrays and the forward computation of each network.
//
// For every parameter tensor of every layer the archive holds four float64
// arrays of the tensor's dense PyTorch shape (Linear weight [out,in], Conv2d
// weight [out,in,kh,kw], biases and subsampling coefficients [C]):
//
//	<layer>.<param>           the values
//	<layer>.<param>.mask      1 where the parameter is kept, 0 where deleted
//	<layer>.<param>.hdiag     the Hessian diagonal h_kk
//	<layer>.<param>.saliency  the saliency s_k = h_kk·u_k²/2
//
// A convolution with a connection table (lenet1's h3) is expanded to the
// dense [out,in,kh,kw] tensor; the entries of unconnected (out,in) pairs are
// not free parameters and are 0 in all four arrays. A deleted parameter
// (mask 0) is 0: WriteNPZ and ReadNPZ refuse a nonzero one, naming the
// tensor and its index in the dense array, such as h3.weight[2,1,0,3].
//
// One more array, hessian.indices (int64), lists the training images the
// Hessian averaged over: 0-based indices into MNIST's 60,000-image training
// file, strictly ascending. The 0-d arrays meta.* record what produced the
// archive (see Meta).
package export

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"

	"obd/curvature"
	"obd/datasets"
	"obd/internal/atomicfile"
	"obd/model"
)

// IndicesName is the name of the array of Hessian image indices.
const IndicesName = "hessian.indices"

// suffixes name the four arrays of a tensor: values, mask, hdiag, saliency.
var suffixes = []string{"", ".mask", ".hdiag", ".saliency"}

// Meta is what an outside checker needs to know of an archive to
// reproduce its numbers. Each field is a 0-d array of the archive, named
// as in the field's comment: numpy's z["meta.seed"].item() returns it.
type Meta struct {
	Network        string // meta.network ('<U'): the model, as model.ByName names it (lenet1, lenet300, lenet5)
	Definition     string // meta.definition ('<U'): the name of the study definition that trained the net
	DefinitionHash string // meta.definition_hash ('<U'): study.Definition.Hash of the definition as run (its -quick scale under -quick), as in its results' manifest.json
	Seed           uint64 // meta.seed ('<u8'): the seed of the net's initialisation and training
	DigitSize      int    // meta.digit_size ('<i8'): data.digit_size, the digit box in pixels the images were rescaled to; 0: MNIST's images as shipped
	Estimator      string // meta.hdiag_estimator ('<U'): which curvature estimate the .hdiag arrays hold, as curvature.Estimators names it ("lm": the paper's Levenberg–Marquardt recursion)
}

// Names of the metadata arrays, in the order of Meta's fields.
const (
	metaNetwork        = "meta.network"
	metaDefinition     = "meta.definition"
	metaDefinitionHash = "meta.definition_hash"
	metaSeed           = "meta.seed"
	metaDigitSize      = "meta.digit_size"
	metaEstimator      = "meta.hdiag_estimator"
)

// check refuses a Meta that cannot describe an archive of net.
func (m Meta) check(net *model.Net) error {
	switch {
	case m.Network != net.Name:
		return fmt.Errorf("metadata names network %q, not %s", m.Network, net.Name)
	case m.Definition == "" || m.DefinitionHash == "":
		return errors.New("metadata without the definition's name or hash")
	case m.DigitSize < 0:
		return fmt.Errorf("metadata digit size %d < 0", m.DigitSize)
	}
	if _, err := curvature.ParseEstimator(m.Estimator); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	return nil
}

// array is one entry of the archive: float64 data of a shape, int64 data,
// or a 0-d scalar (string, int64 or uint64).
type array struct {
	name   string
	shape  []int
	f64    []float64
	i64    []int64
	scalar any
}

// WriteNPZ writes net's parameters theta, the mask of kept parameters (nil:
// all kept), the Hessian diagonal hdiag, the saliencies, the (non-empty)
// indices of the training images the Hessian averaged over and meta to
// path. theta, hdiag, saliency and a non-nil mask must have net.NumParams()
// values; a deleted parameter must be 0 (the error names the first that is
// not, by tensor and index); the indices must be strictly ascending indices
// into MNIST's training file; meta.Network must be net's name and
// meta.Estimator a curvature estimator; a NaN or infinite value of theta,
// hdiag or saliency is an error naming it. The archive is written to a
// temporary file in the same directory and renamed: on error no file is
// left behind.
func WriteNPZ(path string, net *model.Net, theta []float64, mask []bool, hdiag, saliency []float64, indices []int, meta Meta) error {
	arrs, err := arrays(net, theta, mask, hdiag, saliency, indices, meta)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := writeAtomic(path, arrs); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// arrays lays out the archive's entries in θ order.
func arrays(net *model.Net, theta []float64, mask []bool, hdiag, saliency []float64, indices []int, meta Meta) ([]array, error) {
	if err := meta.check(net); err != nil {
		return nil, err
	}
	n := net.NumParams()
	for _, c := range []struct {
		what string
		len  int
	}{{"theta", len(theta)}, {"hdiag", len(hdiag)}, {"saliency", len(saliency)}} {
		if c.len != n {
			return nil, fmt.Errorf("%s has %d values for %s's %d parameters", c.what, c.len, net.Name, n)
		}
	}
	if mask != nil && len(mask) != n {
		return nil, fmt.Errorf("mask has %d values for %s's %d parameters", len(mask), net.Name, n)
	}
	if len(indices) == 0 {
		// npyio would also write an empty array with shape () instead of (0,).
		return nil, errors.New("no Hessian image indices")
	}
	for i, v := range indices {
		if v < 0 || v >= datasets.TrainN || i > 0 && v <= indices[i-1] {
			return nil, fmt.Errorf("Hessian image index %d at position %d: want strictly ascending indices in 0..%d", v, i, datasets.TrainN-1)
		}
	}
	kept := make([]float64, n)
	for k := range kept {
		if mask == nil || mask[k] {
			kept[k] = 1
		}
	}
	var arrs []array
	for li, l := range net.Layers {
		for _, t := range l.Tensors() {
			lo := net.Offset(li) + t.Offset
			if err := deletedAreZero(net, li, t, theta[lo:lo+t.Len], kept[lo:lo+t.Len]); err != nil {
				return nil, err
			}
			for j, v := range [][]float64{theta, kept, hdiag, saliency} {
				d, err := Expand(net, li, t, v[lo:lo+t.Len])
				if err != nil {
					return nil, err
				}
				name := l.Name() + "." + t.Name + suffixes[j]
				if k := slices.IndexFunc(d, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }); k >= 0 {
					return nil, fmt.Errorf("%s is %v: want a finite number", element(name, t.Shape, k), d[k])
				}
				arrs = append(arrs, array{name: name, shape: t.Shape, f64: d})
			}
		}
	}
	idx := make([]int64, len(indices))
	for i, v := range indices {
		idx[i] = int64(v)
	}
	return append(arrs, array{name: IndicesName, shape: []int{len(idx)}, i64: idx},
		array{name: metaNetwork, scalar: meta.Network},
		array{name: metaDefinition, scalar: meta.Definition},
		array{name: metaDefinitionHash, scalar: meta.DefinitionHash},
		array{name: metaSeed, scalar: meta.Seed},
		array{name: metaDigitSize, scalar: int64(meta.DigitSize)},
		array{name: metaEstimator, scalar: meta.Estimator}), nil
}

// deletedAreZero refuses a nonzero value of tensor t of layer li where
// kept (its mask, free values only, 1 or 0) deletes the parameter.
func deletedAreZero(net *model.Net, li int, t model.Tensor, values, kept []float64) error {
	for q, v := range values {
		if kept[q] == 0 && v != 0 {
			idx, err := denseIndex(net.Layers[li], t)
			if err != nil {
				return err
			}
			k := q
			if idx != nil {
				k = idx[q]
			}
			return fmt.Errorf("%s is %v where the mask deletes it (a deleted parameter must be 0)", element(net.Layers[li].Name()+"."+t.Name, t.Shape, k), v)
		}
	}
	return nil
}

// element names entry k of a row-major array of shape as numpy indexes
// it: name[i,j,…].
func element(name string, shape []int, k int) string {
	ix := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		ix[d] = fmt.Sprint(k % shape[d])
		k /= shape[d]
	}
	return name + "[" + strings.Join(ix, ",") + "]"
}

// writeAtomic writes arrs as name.npy entries of a zip archive at path.
func writeAtomic(path string, arrs []array) error {
	return atomicfile.WriteFunc(path, func(b *bytes.Buffer) error {
		w := npz.NewWriter(b)
		for _, a := range arrs {
			var v any
			switch {
			case a.scalar != nil:
				v = a.scalar
			case a.i64 != nil:
				v = a.i64
			default:
				v = ndarray(a.f64, a.shape)
			}
			if err := w.Write(a.name+".npy", v); err != nil {
				return err
			}
		}
		return w.Close()
	})
}

// ndarray returns data as a value of the nested Go array type of shape
// ([d0][d1]…float64), which npy writes with that shape.
func ndarray(data []float64, shape []int) any {
	typ := reflect.TypeFor[float64]()
	for _, d := range slices.Backward(shape) {
		typ = reflect.ArrayOf(d, typ)
	}
	p := reflect.New(typ)
	copy(unsafe.Slice((*float64)(p.UnsafePointer()), len(data)), data)
	return p.Elem().Interface()
}

// Expand returns the dense row-major array of shape t.Shape of tensor t of
// layer li of net, given the tensor's t.Len free values. Entries that are not
// free parameters (unconnected pairs of a table convolution) are 0.
func Expand(net *model.Net, li int, t model.Tensor, flat []float64) ([]float64, error) {
	if len(flat) != t.Len {
		return nil, fmt.Errorf("%s.%s: %d values for %d parameters", net.Layers[li].Name(), t.Name, len(flat), t.Len)
	}
	idx, err := denseIndex(net.Layers[li], t)
	if err != nil {
		return nil, err
	}
	if idx == nil {
		return slices.Clone(flat), nil
	}
	d := make([]float64, size(t.Shape))
	for q, v := range flat {
		d[idx[q]] = v
	}
	return d, nil
}

// denseIndex returns where each free parameter of t sits in the dense
// row-major t.Shape array, or nil when the two coincide: only a convolution
// with a connection table has fewer free parameters than dense entries.
func denseIndex(l model.Layer, t model.Tensor) ([]int, error) {
	if t.Len == size(t.Shape) {
		return nil, nil
	}
	c, ok := l.(*model.Conv)
	if !ok || len(t.Shape) != 4 {
		return nil, fmt.Errorf("%s.%s: %d free values for shape %v, and not a table convolution", l.Name(), t.Name, t.Len, t.Shape)
	}
	in, kk := t.Shape[1], t.Shape[2]*t.Shape[3]
	idx := make([]int, 0, t.Len)
	for _, p := range c.Pairs() {
		for u := range kk {
			idx = append(idx, (p[0]*in+p[1])*kk+u)
		}
	}
	return idx, nil
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// ReadNPZ reads the parameters and mask of net from an archive written by
// WriteNPZ (or edited outside, keeping the layouts). It checks that every
// array is present with its float64 dtype and shape, that masks hold only 0
// and 1, that entries which are not free parameters are 0, that every
// deleted parameter is 0 (the error names the first that is not, as
// tensor[i,j,…]) and, when the archive names its network (meta.network),
// that it is net's. A parameter that is NaN or infinite is an error naming
// it.
func ReadNPZ(path string, net *model.Net) (theta []float64, mask []bool, err error) {
	r, err := npz.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	if slices.Contains(r.Keys(), metaNetwork+".npy") {
		var name string
		if err := readScalar(r, metaNetwork, &name); err != nil {
			return nil, nil, fmt.Errorf("import %s: %w", path, err)
		}
		if name != net.Name {
			return nil, nil, fmt.Errorf("import %s: %s is %q, not %s", path, metaNetwork, name, net.Name)
		}
	}
	theta, mask = make([]float64, net.NumParams()), make([]bool, net.NumParams())
	for li, l := range net.Layers {
		for _, t := range l.Tensors() {
			idx, err := denseIndex(l, t)
			if err != nil {
				return nil, nil, err
			}
			lo := net.Offset(li) + t.Offset
			var pair [2][]float64 // values, mask: the free entries
			for j, suffix := range suffixes[:2] {
				name := l.Name() + "." + t.Name + suffix
				d, err := readF64(r, name, t.Shape)
				if err != nil {
					return nil, nil, fmt.Errorf("import %s: %w", path, err)
				}
				free := d
				if idx != nil {
					free = make([]float64, t.Len)
					for q, k := range idx {
						free[q], d[k] = d[k], 0
					}
					if k := slices.IndexFunc(d, func(v float64) bool { return v != 0 }); k >= 0 {
						return nil, nil, fmt.Errorf("import %s: %s is %v, which is not a free parameter", path, element(name, t.Shape, k), d[k])
					}
				}
				if j == 0 {
					if k := slices.IndexFunc(free, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }); k >= 0 {
						k0 := k
						if idx != nil {
							k0 = idx[k]
						}
						return nil, nil, fmt.Errorf("import %s: %s is %v: want a finite number", path, element(name, t.Shape, k0), free[k])
					}
				}
				if j == 1 {
					if k := slices.IndexFunc(free, func(v float64) bool { return v != 0 && v != 1 }); k >= 0 {
						k0 := k
						if idx != nil {
							k0 = idx[k]
						}
						return nil, nil, fmt.Errorf("import %s: %s: value %v is neither 0 nor 1", path, element(name, t.Shape, k0), free[k])
					}
				}
				pair[j] = free
			}
			if err := deletedAreZero(net, li, t, pair[0], pair[1]); err != nil {
				return nil, nil, fmt.Errorf("import %s: %w", path, err)
			}
			copy(theta[lo:lo+t.Len], pair[0])
			for q, v := range pair[1] {
				mask[lo+q] = v == 1
			}
		}
	}
	return theta, mask, nil
}

// ReadMeta reads the metadata of an archive written by WriteNPZ. An array
// that is missing or of another dtype or shape is an error naming it.
func ReadMeta(path string) (Meta, error) {
	r, err := npz.Open(path)
	if err != nil {
		return Meta{}, err
	}
	defer r.Close()
	var m Meta
	var digits int64
	for _, f := range []struct {
		name string
		ptr  any
	}{
		{metaNetwork, &m.Network}, {metaDefinition, &m.Definition}, {metaDefinitionHash, &m.DefinitionHash},
		{metaSeed, &m.Seed}, {metaDigitSize, &digits}, {metaEstimator, &m.Estimator},
	} {
		if err := readScalar(r, f.name, f.ptr); err != nil {
			return Meta{}, fmt.Errorf("import %s: %w", path, err)
		}
	}
	m.DigitSize = int(digits)
	return m, nil
}

// readScalar reads the 0-d array name into *ptr (a string, int64 or uint64),
// checking its dtype and shape.
func readScalar(r *npz.Reader, name string, ptr any) error {
	if !slices.Contains(r.Keys(), name+".npy") {
		return fmt.Errorf("missing array %s", name)
	}
	var a npy.Array
	if err := r.Read(name+".npy", &a); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(a.Shape()) != 0 {
		return fmt.Errorf("%s: shape %v, want a 0-d array", name, a.Shape())
	}
	ok := false
	switch p := ptr.(type) {
	case *string:
		*p, ok = a.Data().(string)
	case *int64:
		var d []int64
		if d, ok = a.Data().([]int64); ok && len(d) == 1 {
			*p = d[0]
		}
	case *uint64:
		var d []uint64
		if d, ok = a.Data().([]uint64); ok && len(d) == 1 {
			*p = d[0]
		}
	}
	if !ok {
		return fmt.Errorf("%s: dtype %v, want %T", name, a.Descr(), reflect.ValueOf(ptr).Elem().Interface())
	}
	return nil
}

// readF64 reads array name (stored as name.npy) and checks its dtype and shape.
func readF64(r *npz.Reader, name string, shape []int) ([]float64, error) {
	if !slices.Contains(r.Keys(), name+".npy") {
		return nil, fmt.Errorf("missing array %s", name)
	}
	var a npy.Array
	if err := r.Read(name+".npy", &a); err != nil {
		return nil, err
	}
	d, ok := a.Data().([]float64)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: dtype %v, want float64", name, a.Descr())
	case a.Fortran():
		return nil, errors.New(name + ": Fortran order, want C order")
	case !slices.Equal(a.Shape(), shape):
		return nil, fmt.Errorf("%s: shape %v, want %v", name, a.Shape(), shape)
	}
	return d, nil
}
