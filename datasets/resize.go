package datasets

import (
	"fmt"
	"math"
)

// DigitBox is the side, in pixels, of the box MNIST's digits were
// size-normalized to before being centered (by centre of mass) in the 28×28
// field.
const DigitBox = 20

// Resized returns a copy of s whose digits are scaled from MNIST's 20-pixel
// box to side pixels, about the centre of the 28×28 field, where MNIST put
// each digit's centre of mass. The field stays 28×28. Each output pixel is
// the area-weighted mean of the input pixels its square covers (a box
// filter, separable in rows and columns), rounded to the nearest grey level.
//
// Le Cun et al. (1998) fed LeNet-1 this way: "because of the small size of
// the network, the images were down-sampled to 16×16 pixels and centered in
// the 28×28 input layer". side = 20 returns an exact copy; side must be in
// 1…28.
func (s *Set) Resized(side int) (*Set, error) {
	if side < 1 || side > Rows {
		return nil, fmt.Errorf("mnist: digit size %d out of range 1…%d", side, Rows)
	}
	w := boxWeights(float64(side) / DigitBox)
	out := &Set{Images: make([]uint8, len(s.Images)), Labels: append([]uint8(nil), s.Labels...)}
	var tmp [Rows * Cols]float64
	for n := 0; n < s.N(); n++ {
		in := s.Image(n)
		// Columns first: tmp[r][oc] = Σ_c in[r][c]·w[oc][c].
		for r := range Rows {
			for oc := range Cols {
				var sum float64
				for c, wc := range w[oc] {
					sum += wc * float64(in[r*Cols+c])
				}
				tmp[r*Cols+oc] = sum
			}
		}
		dst := out.Images[n*Pixels : (n+1)*Pixels]
		for or := range Rows {
			for oc := range Cols {
				var sum float64
				for r, wr := range w[or] {
					sum += wr * tmp[r*Cols+oc]
				}
				dst[or*Cols+oc] = uint8(math.Min(math.Round(sum), 255))
			}
		}
	}
	return out, nil
}

// boxWeights returns the 28×28 matrix of a 1-D box-filter resampling by
// factor f about the field's centre: w[o][i] is the share of input pixel i
// in output pixel o. Output pixel o covers [o, o+1), which maps back to
// [c+(o−c)/f, c+(o+1−c)/f) in input coordinates, c = 14; the weights are the
// overlaps with each input pixel [i, i+1), times f, so that a region of
// constant grey stays that grey.
func boxWeights(f float64) [Rows][Cols]float64 {
	const c = Rows / 2
	var w [Rows][Cols]float64
	for o := range Rows {
		lo := c + (float64(o)-c)/f
		hi := c + (float64(o+1)-c)/f
		for i := range Cols {
			ov := math.Min(hi, float64(i+1)) - math.Max(lo, float64(i))
			if ov > 0 {
				w[o][i] = ov * f
			}
		}
	}
	return w
}
