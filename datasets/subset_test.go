package datasets

import (
	"slices"
	"testing"
)

// synthSet has perClass[c] examples of class c, interleaved.
func synthSet(perClass [Classes]int) *Set {
	s := &Set{}
	for left := true; left; {
		left = false
		for c := range perClass {
			if perClass[c] > 0 {
				perClass[c]--
				s.Labels = append(s.Labels, uint8(c))
				s.Images = append(s.Images, images(1)...)
				s.Images[len(s.Images)-1] = byte(len(s.Labels)) // tag
				left = true
			}
		}
	}
	return s
}

func classCounts(s *Set, idx []int) [Classes]int {
	var h [Classes]int
	for _, i := range idx {
		h[s.Labels[i]]++
	}
	return h
}

func TestFirstN(t *testing.T) {
	if got := FirstN(4); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Fatalf("FirstN(4) = %v", got)
	}
	if got := FirstN(0); len(got) != 0 {
		t.Fatalf("FirstN(0) = %v", got)
	}
	if got := FirstN(-3); len(got) != 0 {
		t.Fatalf("FirstN(-3) = %v", got)
	}
}

func TestSubsetCopies(t *testing.T) {
	s := synthSet([Classes]int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2})
	sub := s.Subset([]int{7, 2})
	if sub.N() != 2 || len(sub.Images) != 2*Pixels {
		t.Fatalf("N=%d len=%d", sub.N(), len(sub.Images))
	}
	if sub.Labels[0] != s.Labels[7] || string(sub.Image(1)) != string(s.Image(2)) {
		t.Fatal("wrong examples")
	}
	sub.Images[0]++
	sub.Labels[0]++
	if s.Images[7*Pixels] == sub.Images[0] || s.Labels[7] == sub.Labels[0] {
		t.Fatal("Subset shares memory with its source")
	}
}

func TestImageView(t *testing.T) {
	s := synthSet([Classes]int{1, 1})
	img := s.Image(0)
	if len(img) != Pixels || cap(img) != Pixels {
		t.Fatalf("len %d cap %d", len(img), cap(img))
	}
	_ = append(img, 99) // must not overwrite image 1
	if s.Images[Pixels] == 99 {
		t.Fatal("append through Image clobbered the next image")
	}
}

func TestStratifiedDeterministic(t *testing.T) {
	s := synthSet([Classes]int{50, 60, 70, 80, 90, 50, 60, 70, 80, 90})
	a, err := Stratified(s, 123, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Stratified(s, 123, 42)
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different subsets")
	}
	c, _ := Stratified(s, 123, 43)
	if slices.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same subset")
	}
	if classCounts(s, a) != classCounts(s, c) {
		t.Fatal("class balance depends on the seed")
	}
}

func TestStratifiedBalance(t *testing.T) {
	s := synthSet([Classes]int{200, 150, 120, 110, 105, 101, 100, 100, 100, 100})
	for _, n := range []int{1, 9, 10, 1005, 1000} {
		idx, err := Stratified(s, n, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(idx) != n || !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != n {
			t.Fatalf("n=%d: len %d, sorted %v, not unique", n, len(idx), slices.IsSorted(idx))
		}
		h := classCounts(s, idx)
		for c, k := range h {
			want := n / Classes
			if c < n%Classes {
				want++
			}
			if k != want {
				t.Fatalf("n=%d: class %d has %d, want %d (%v)", n, c, k, want, h)
			}
		}
	}
	// Taking a whole class must take all of it: class 9 holds exactly 100.
	idx, _ := Stratified(s, 1000, 1)
	if got := classCounts(s, idx)[9]; got != 100 {
		t.Fatalf("class 9: %d", got)
	}
}

// Every example of a class should be reachable, roughly uniformly.
func TestStratifiedUniform(t *testing.T) {
	s := synthSet([Classes]int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10})
	hits := make([]int, s.N())
	const trials = 2000
	for seed := range uint64(trials) {
		idx, err := Stratified(s, 20, seed) // 2 of 10 per class
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			hits[i]++
		}
	}
	for i, h := range hits { // expectation 400, sd ≈ 18
		if h < 300 || h > 500 {
			t.Fatalf("example %d chosen %d times in %d trials, want ≈400", i, h, trials)
		}
	}
}

func TestStratifiedErrors(t *testing.T) {
	s := synthSet([Classes]int{5, 5, 5, 5, 5, 5, 5, 5, 5, 2})
	for _, n := range []int{0, -1, 48} {
		if _, err := Stratified(s, n, 1); err == nil {
			t.Errorf("n=%d: no error", n)
		}
	}
	_, err := Stratified(s, 30, 1)
	wantErr(t, err, "class 9 has 2 examples, need 3")
	bad := &Set{Labels: []uint8{1, 12}, Images: make([]uint8, 2*Pixels)}
	_, err = Stratified(bad, 1, 1)
	wantErr(t, err, "label 12 at index 1")
}

// Pins the subset drawn from the real training set, so that a change of
// generator or algorithm (which would silently change experiments) fails.
func TestStratifiedGolden(t *testing.T) {
	m := realMNIST(t)
	idx, err := Stratified(m.Train, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if h := classCounts(m.Train, idx); h != [Classes]int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100} {
		t.Fatalf("histogram %v", h)
	}
	sum := 0
	for _, i := range idx {
		sum += i
	}
	wantFirst, wantSum := []int{82, 116, 201, 313, 367}, 29930419
	if !slices.Equal(idx[:5], wantFirst) || sum != wantSum {
		t.Fatalf("Stratified(train, 1000, 1) starts %v with sum %d; want %v, %d", idx[:5], sum, wantFirst, wantSum)
	}
}
