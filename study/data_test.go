package study

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"obd/datasets"
	"obd/model"
)

// fakeMNIST returns n training and m test images of random grey levels
// (every image distinct), labelled i mod 10.
func fakeMNIST(n, m int) *datasets.MNIST {
	rng := rand.New(rand.NewPCG(1, 2))
	set := func(n int) *datasets.Set {
		s := &datasets.Set{Images: make([]uint8, n*datasets.Pixels), Labels: make([]uint8, n)}
		for i := range s.Images {
			s.Images[i] = uint8(rng.IntN(256))
		}
		for i := range s.Labels {
			s.Labels[i] = uint8(i % datasets.Classes)
		}
		return s
	}
	return &datasets.MNIST{Train: set(n), Test: set(m)}
}

// rows returns each sample's inputs as a string of their bits, to compare
// images.
func rows(d *model.Data) []string {
	w := len(d.X) / d.N
	out := make([]string, d.N)
	b := make([]byte, 8*w)
	for i := range out {
		for j, v := range d.X[i*w : (i+1)*w] {
			binary.LittleEndian.PutUint64(b[8*j:], math.Float64bits(v))
		}
		out[i] = string(b)
	}
	return out
}

// The validation images are held out of everything the net is trained or
// scored on: they are none of the training images, and so none of the
// Hessian samples or eval_train (drawn from the training images); they
// are class-stratified, the same for every seed and definition of that
// size, and they are the file's images validIdx names.
func TestValidationHeldOut(t *testing.T) {
	m := fakeMNIST(2000, 500)
	for _, train := range []int{0, 900} {
		def, err := Parse("t.yaml", strings.NewReader(fmt.Sprintf(`name: t
network: lenet1
data: {train: %d, test: 500, hessian_samples: 300, eval_train: 500, validation: 200}
training: {epochs: 1, batch_size: 32, lr: 0.01}
methods: [obd]
schedule: oneshot
grid: [0.5]
seeds: [1]
`, train)))
		if err != nil {
			t.Fatal(err)
		}
		st, err := prepare(def, m)
		if err != nil {
			t.Fatal(err)
		}
		wantTrain := train
		if train == 0 {
			wantTrain = m.Train.N() - 200
		}
		if st.valid == nil || st.valid.N != 200 || st.train.N != wantTrain || len(st.trainIdx) != wantTrain {
			t.Fatalf("train %d: %d validation images, %d training images (%d indices); want 200, %d",
				train, st.valid.N, st.train.N, len(st.trainIdx), wantTrain)
		}
		// The indices name the images held.
		if got, want := rows(st.valid), rows(model.NewData(st.net, m.Train.Subset(st.validIdx))); !slices.Equal(got, want) {
			t.Errorf("train %d: the validation images are not the file's images validIdx names", train)
		}
		if got, want := rows(st.train), rows(model.NewData(st.net, m.Train.Subset(st.trainIdx))); !slices.Equal(got, want) {
			t.Errorf("train %d: the training images are not the file's images trainIdx names", train)
		}
		for _, i := range st.trainIdx {
			if _, found := slices.BinarySearch(st.validIdx, i); found {
				t.Fatalf("train %d: image %d is a training and a validation image", train, i)
			}
		}
		held := map[string]bool{}
		for _, r := range rows(st.valid) {
			held[r] = true
		}
		for _, r := range rows(st.evalTrain) {
			if held[r] {
				t.Fatalf("train %d: an eval_train image is a validation image", train)
			}
		}
		hidx, err := st.hessianIdx(def.Data.HessianSamples, 1)
		if err != nil {
			t.Fatal(err)
		}
		trainRows := rows(st.train)
		for _, i := range hidx {
			if held[trainRows[i]] {
				t.Fatalf("train %d: Hessian sample %d is a validation image", train, i)
			}
		}
		var perClass [datasets.Classes]int
		for _, l := range st.valid.Labels {
			perClass[l]++
		}
		for c, n := range perClass {
			if n != 20 {
				t.Errorf("train %d: class %d has %d validation images, want 20 (stratified)", train, c, n)
			}
		}
		// The same held-out images whatever the training size.
		if train == 900 {
			other, _ := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, validation: 200", 1)))
			st2, err := prepare(other, m)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(st.validIdx, st2.validIdx) {
				t.Errorf("two definitions with validation 200 hold out different images")
			}
		}
	}
}

// Without data.validation nothing is held out, and the training images
// are those of before the setting existed.
func TestNoValidation(t *testing.T) {
	m := fakeMNIST(2000, 500)
	def, err := Parse("t.yaml", strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	st, err := prepare(def, m)
	if err != nil {
		t.Fatal(err)
	}
	want, err := datasets.Stratified(m.Train, def.Data.Train, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.valid != nil || st.validIdx != nil || !slices.Equal(st.trainIdx, want) {
		t.Errorf("without validation: valid %v, training images changed: %v", st.valid != nil, !slices.Equal(st.trainIdx, want))
	}
}

// TrainDense measures the dense net on the held-out images when the
// definition holds some out (the statistics of exactly those images), and
// leaves Valid empty when it holds none.
func TestDenseValidStats(t *testing.T) {
	m := fakeMNIST(2000, 500)
	for _, n := range []int{0, 200} {
		src := valid
		if n > 0 {
			src = strings.Replace(valid, "hessian_samples: 100", fmt.Sprintf("hessian_samples: 100, validation: %d", n), 1)
		}
		def, err := Parse("t.yaml", strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		dn, err := TrainDense(context.Background(), def, Env{MNIST: m, Out: t.TempDir(), Workers: 1}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if dn.Valid.N != n {
			t.Fatalf("validation %d: Valid measured on %d images", n, dn.Valid.N)
		}
		if n == 0 {
			continue
		}
		st, err := prepare(dn.Def, m)
		if err != nil {
			t.Fatal(err)
		}
		want := model.NewEngine(st.net, 1).Sum(dn.Theta, st.valid, nil, model.PassEval, nil)
		if dn.Valid != want {
			t.Errorf("validation %d: Valid %+v, want %+v", n, dn.Valid, want)
		}
	}
}
