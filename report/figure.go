package report

import (
	"bytes"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"obd/internal/atomicfile"
)

// Figure is one plot of curves described over seeds: a line with points
// through the means and a translucent band from the minimum to the maximum
// over seeds. Min–max rather than ±std because it survives the dB
// transform (mean − std can be negative) and, with a handful of seeds, shows
// every run.
type Figure struct {
	Name           string // file name without extension
	Title          string
	XLabel, YLabel string
	DB             bool // y shown as 10·log10(y); YLabel should say so
	LogX           bool
	LegendLeft     bool // put the legend where the curves are not
	Curves         []Curve
}

const (
	figWidth  = 6 * vg.Inch
	figHeight = 4.5 * vg.Inch
	pngDPI    = 150
)

// Save writes dir/Name.svg and dir/Name.png, each atomically. The output is
// a function of the figure alone (no timestamps), so reruns are
// byte-identical.
func (f Figure) Save(dir string) error {
	p, err := f.plot()
	if err != nil {
		return err
	}
	svg := vgsvg.New(figWidth, figHeight)
	p.Draw(draw.New(svg))
	if err := atomicfile.WriteFunc(filepath.Join(dir, f.Name+".svg"), func(w *bytes.Buffer) error {
		_, err := svg.WriteTo(w)
		return err
	}); err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(figWidth, figHeight), vgimg.UseDPI(pngDPI))
	p.Draw(draw.New(img))
	return atomicfile.WriteFunc(filepath.Join(dir, f.Name+".png"), func(w *bytes.Buffer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

func (f Figure) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = f.Title + "\nlines: mean over seeds, bands: min–max"
	p.X.Label.Text, p.Y.Label.Text = f.XLabel, f.YLabel
	if f.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Legend.Top, p.Legend.Left = true, f.LegendLeft
	p.Add(plotter.NewGrid())

	ty := func(v float64) float64 { return v }
	if f.DB {
		ty = func(v float64) float64 { return 10 * math.Log10(v) }
	}
	// Bands go first so that no band covers another curve's line.
	var lines []plot.Plotter
	for i, c := range f.Curves {
		col := plotutil.Color(i)
		var mean, lo, hi plotter.XYs
		for j, x := range c.X {
			m, a, b := ty(c.Y[j].Mean), ty(c.Y[j].Min), ty(c.Y[j].Max)
			// Points plotter can't place (NaN from a diverged seed, a
			// zero objective in dB, x ≤ 0 on a log axis) are left out
			// instead of failing the whole figure.
			if !finite(x, m, a, b) || (f.LogX && x <= 0) {
				continue
			}
			mean = append(mean, plotter.XY{X: x, Y: m})
			lo = append(lo, plotter.XY{X: x, Y: a})
			hi = append(hi, plotter.XY{X: x, Y: b})
		}
		if len(mean) == 0 {
			continue
		}
		if len(mean) > 1 {
			ring := slices.Concat(hi, reversed(lo))
			band, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, err
			}
			r, g, b, _ := col.RGBA()
			band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		l, s, err := plotter.NewLinePoints(mean)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = col, vg.Points(1.2)
		s.Color, s.Shape = col, plotutil.Shape(i)
		lines = append(lines, l, s)
		p.Legend.Add(c.Label, l, s)
	}
	p.Add(lines...)
	return p, nil
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func reversed(xys plotter.XYs) plotter.XYs {
	r := make(plotter.XYs, len(xys))
	for i, xy := range xys {
		r[len(xys)-1-i] = xy
	}
	return r
}
