package datasets

import "testing"

func TestInputs(t *testing.T) {
	s := &Set{Images: make([]uint8, 2*Pixels), Labels: []uint8{3, 4}}
	s.Images[1], s.Images[2], s.Images[Pixels+5] = 255, 51, 127
	v51, v127 := 51.0, 127.0 // variables: the formulas must hold in float64 arithmetic
	for _, c := range []struct {
		p                     Scaling
		zero, full, v51, v127 float64
	}{
		{SymmetricPM1, -1, 1, v51/127.5 - 1, v127/127.5 - 1},
		{UnitInterval, 0, 1, v51 / 255, v127 / 255},
	} {
		x := s.Inputs(c.p)
		if len(x) != 2*Pixels {
			t.Fatalf("%v: len %d", c.p, len(x))
		}
		if x[0] != c.zero || x[1] != c.full || x[2] != c.v51 || x[Pixels+5] != c.v127 || x[2*Pixels-1] != c.zero {
			t.Errorf("%v: got %v %v %v %v", c.p, x[0], x[1], x[2], x[Pixels+5])
		}
	}
}

func TestInputsRangeReal(t *testing.T) {
	s := realMNIST(t).Test.Subset(FirstN(100))
	for _, c := range []struct {
		p      Scaling
		lo, hi float64
	}{{SymmetricPM1, -1, 1}, {UnitInterval, 0, 1}} {
		p, lo, hi := c.p, c.lo, c.hi
		minX, maxX := 9.0, -9.0
		for _, v := range s.Inputs(p) {
			minX, maxX = min(minX, v), max(maxX, v)
		}
		if minX != lo || maxX != hi {
			t.Errorf("%v: range [%v, %v], want [%v, %v]", p, minX, maxX, lo, hi)
		}
	}
}

func TestInputsUnknownScalingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	(&Set{}).Inputs(0)
}

func TestTargetsPM1(t *testing.T) {
	s := &Set{Labels: []uint8{0, 9, 3}}
	tg := s.TargetsPM1()
	if len(tg) != 3*Classes {
		t.Fatalf("len %d", len(tg))
	}
	for i, l := range s.Labels {
		for k := range Classes {
			want := -1.0
			if k == int(l) {
				want = 1
			}
			if tg[i*Classes+k] != want {
				t.Fatalf("example %d class %d: %v, want %v", i, k, tg[i*Classes+k], want)
			}
		}
	}
}

func TestScalingStrings(t *testing.T) {
	for _, p := range []Scaling{SymmetricPM1, UnitInterval} {
		q, err := ParseScaling(p.String())
		if err != nil || q != p {
			t.Errorf("ParseScaling(%q) = %v, %v", p.String(), q, err)
		}
	}
	if SymmetricPM1.String() != "pm1" || UnitInterval.String() != "unit" || Scaling(7).String() != "Scaling(7)" {
		t.Error("unexpected names")
	}
	if _, err := ParseScaling("zscore"); err == nil {
		t.Error("ParseScaling accepted an unknown name")
	}
}
