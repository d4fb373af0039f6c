package datasets

import (
	"bytes"
	"testing"
)

// square returns a one-image Set with grey level v on rows and columns
// [lo, hi) and 0 elsewhere.
func square(lo, hi int, v uint8) *Set {
	s := &Set{Images: make([]uint8, Pixels), Labels: []uint8{7}}
	for r := lo; r < hi; r++ {
		for c := lo; c < hi; c++ {
			s.Images[r*Cols+c] = v
		}
	}
	return s
}

func TestResizedIdentity(t *testing.T) {
	s := realMNIST(t).Test.Subset(FirstN(50))
	got, err := s.Resized(DigitBox)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Images, s.Images) || !bytes.Equal(got.Labels, s.Labels) {
		t.Error("digit size 20 changed the images")
	}
}

// MNIST's 20×20 box, rows and columns 4…23, becomes the 16×16 box 6…21
// about the field's centre, with the ink's grey level kept and the total
// ink scaled by (16/20)².
func TestResizedSquare(t *testing.T) {
	got, err := square(4, 24, 200).Resized(16)
	if err != nil {
		t.Fatal(err)
	}
	want := square(6, 22, 200)
	if !bytes.Equal(got.Images, want.Images) {
		for r := range Rows {
			t.Logf("%3d", got.Images[r*Cols:(r+1)*Cols])
		}
		t.Fatal("the 20-pixel square did not become the 16-pixel square 6…21")
	}
	if got.Labels[0] != 7 {
		t.Errorf("label %d, want 7", got.Labels[0])
	}
	// Enlarging: 16 → 20 undoes it.
	back, err := want.Resized(25)
	if err != nil {
		t.Fatal(err)
	}
	var ink int
	for _, v := range back.Images {
		ink += int(v)
	}
	if want := 20 * 20 * 200; ink != want {
		t.Errorf("16-pixel square enlarged ×1.25 holds ink %d, want %d", ink, want)
	}
}

// A partly covered output pixel gets the area-weighted mean: scaling by
// 0.5 averages 2×2 blocks aligned on the centre.
func TestResizedAreaWeights(t *testing.T) {
	s := square(14, 15, 200) // one pixel just right of and below the centre
	got, err := s.Resized(10)
	if err != nil {
		t.Fatal(err)
	}
	// Output pixel 14 covers input [14, 16): a quarter of its area is ink.
	if v := got.Images[14*Cols+14]; v != 50 {
		t.Errorf("pixel (14,14) = %d, want 50", v)
	}
	var others int
	for i, v := range got.Images {
		if i != 14*Cols+14 {
			others += int(v)
		}
	}
	if others != 0 {
		t.Errorf("ink %d outside pixel (14,14)", others)
	}
}

func TestResizedRange(t *testing.T) {
	for _, n := range []int{0, -1, 29} {
		if _, err := square(4, 24, 1).Resized(n); err == nil {
			t.Errorf("digit size %d: no error", n)
		}
	}
}
