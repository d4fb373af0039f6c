package report

import (
	"bytes"
	"cmp"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"

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
// every run. Levels are drawn across the whole plot as horizontal lines.
// The legend sits below the plot, clear of the data.
type Figure struct {
	Name           string // file name without extension
	Title          string
	XLabel, YLabel string
	DB             bool // y shown as 10·log10(y); YLabel should say so
	LogX           bool
	// LogY draws y on a log axis, so that a curve's low-error region keeps
	// its share of the height when another curve reaches tens of percent.
	// Values ≤ 0 cannot be placed on it and are left out.
	LogY   bool
	Curves []Curve
	Levels []Level
}

// Level is a horizontal line a figure's curves are read against: the dense
// network's value, or a published one.
type Level struct {
	Label string  // legend entry; should state the value
	Y     float64 // in the curves' units, before the dB transform
	// Published marks a value published by others (drawn dash-dotted
	// black) rather than measured here (dashed grey).
	Published bool
}

const (
	logMargin = 1.06 // the factor a log y axis extends beyond the data
	figWidth  = 6 * vg.Inch
	figHeight = 4.5 * vg.Inch // without the legend, which adds its rows
	pngDPI    = 150
)

// Save writes dir/Name.svg and dir/Name.png, each atomically. The output is
// a function of the figure alone (no timestamps), so reruns are
// byte-identical.
func (f Figure) Save(dir string) error {
	p, legend, err := f.plot()
	if err != nil {
		return err
	}
	height := figHeight + legend.height()
	svg := vgsvg.New(figWidth, height)
	drawFigure(draw.New(svg), p, legend)
	if err := atomicfile.WriteFunc(filepath.Join(dir, f.Name+".svg"), func(w *bytes.Buffer) error {
		_, err := svg.WriteTo(w)
		return err
	}); err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(figWidth, height), vgimg.UseDPI(pngDPI))
	drawFigure(draw.New(img), p, legend)
	return atomicfile.WriteFunc(filepath.Join(dir, f.Name+".png"), func(w *bytes.Buffer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// drawFigure draws the plot above the legend's rows.
func drawFigure(c draw.Canvas, p *plot.Plot, l legend) {
	p.Draw(draw.Crop(c, 0, 0, l.height(), 0))
	l.draw(draw.Crop(c, 0, 0, 0, -(c.Max.Y - c.Min.Y - l.height())))
}

func (f Figure) plot() (*plot.Plot, legend, error) {
	p := plot.New()
	p.Title.Text = f.Title + "\nlines: mean over seeds, bands: min–max"
	p.X.Label.Text, p.Y.Label.Text = f.XLabel, f.YLabel
	p.Add(plotter.NewGrid())
	lg := legend{style: p.Legend}
	lg.style.Padding = vg.Points(2)

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
			// zero objective in dB, x ≤ 0 on a log axis, y ≤ 0 on a log
			// axis) are left out instead of failing the whole figure.
			if !finite(x, m, a, b) || (f.LogX && x <= 0) || (f.LogY && a <= 0) {
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
				return nil, legend{}, err
			}
			r, g, b, _ := col.RGBA()
			band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		l, s, err := plotter.NewLinePoints(mean)
		if err != nil {
			return nil, legend{}, err
		}
		l.Color, l.Width = col, vg.Points(1.2)
		s.Color, s.Shape = col, plotutil.Shape(i)
		lines = append(lines, l, s)
		lg.add(0, c.Label, l, s)
	}
	for _, lv := range f.Levels {
		y := ty(lv.Y)
		if !finite(y) || (f.LogY && y <= 0) {
			continue
		}
		h := hline{y: y, style: measuredLevel}
		if lv.Published {
			h.style = publishedLevel
		}
		lines = append(lines, h)
		lg.add(1, lv.Label, h)
	}
	p.Add(lines...)
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	// An empty figure has no range a log axis could take.
	if f.LogX && p.X.Min > 0 && !math.IsInf(p.X.Min, 0) {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if f.LogY && p.Y.Min > 0 && !math.IsInf(p.Y.Min, 0) {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		// A margin, so that a level at the lowest value is not drawn on the axis.
		p.Y.Min, p.Y.Max = p.Y.Min/logMargin, p.Y.Max*logMargin
	}
	return p, lg, nil
}

// The levels' styles tell them from the curves (solid, coloured) and from
// each other.
var (
	measuredLevel  = draw.LineStyle{Color: color.Gray{Y: 0x60}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
	publishedLevel = draw.LineStyle{Color: color.Black, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}
)

// hline is a horizontal line across the data area at y. It widens the y
// range to include y and leaves the x range to the curves.
type hline struct {
	y     float64
	style draw.LineStyle
}

func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

func (h hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// legend is a plot's legend laid out below it, so that it never covers a
// curve however many entries it has: the curves' entries row by row in as
// many columns as the widest allows (at most three), then the levels'
// likewise.
type legend struct {
	style  plot.Legend      // text style and thumbnail width, without entries
	groups [2][]legendEntry // curves, levels
}

type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

const (
	legendMargin = 0.25 * vg.Inch // left and right of the columns
	legendGap    = 0.2 * vg.Inch  // between columns
	legendPad    = 0.08 * vg.Inch // above and below the rows
)

func (l *legend) add(group int, label string, thumbs ...plot.Thumbnailer) {
	l.groups[group] = append(l.groups[group], legendEntry{label, thumbs})
}

// columns returns how many columns the entries of a group fit in.
func (l legend) columns(entries []legendEntry) int {
	var widest vg.Length
	for _, e := range entries {
		widest = max(widest, l.style.ThumbnailWidth+l.style.TextStyle.Rectangle(" "+e.label).Max.X)
	}
	for n := min(3, len(entries)); n > 1; n-- {
		if vg.Length(n)*widest+vg.Length(n-1)*legendGap <= figWidth-2*legendMargin {
			return n
		}
	}
	return 1
}

// rows counts the legend's rows over both groups.
func (l legend) rows() int {
	n := 0
	for _, g := range l.groups {
		if len(g) > 0 {
			n += (len(g) + l.columns(g) - 1) / l.columns(g)
		}
	}
	return n
}

func (l legend) rowHeight() vg.Length {
	return l.style.TextStyle.Rectangle("Mg").Max.Y + l.style.Padding
}

func (l legend) height() vg.Length {
	if l.rows() == 0 {
		return 0
	}
	return vg.Length(l.rows())*l.rowHeight() + 2*legendPad
}

// draw draws the entries into c, a strip of height().
func (l legend) draw(c draw.Canvas) {
	c = draw.Crop(c, legendMargin, -legendMargin, legendPad, -legendPad)
	width := c.Max.X - c.Min.X
	for _, g := range l.groups {
		if len(g) == 0 {
			continue
		}
		n := l.columns(g)
		rows := (len(g) + n - 1) / n
		colWidth := (width - vg.Length(n-1)*legendGap) / vg.Length(n)
		for col := range n {
			lg := l.style
			lg.Top, lg.Left = true, true
			for i := col; i < len(g); i += n {
				lg.Add(g[i].label, g[i].thumbs...)
			}
			left := vg.Length(col) * (colWidth + legendGap)
			lg.Draw(draw.Crop(c, left, -(width - left - colWidth), 0, 0))
		}
		c.Max.Y -= vg.Length(rows) * l.rowHeight()
	}
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten over
// 2.5 decades or more, at 1, 1.5, 2, 3, 5 and 7 times them over less (a
// curve between 1.5% and 3% error gets three labels), and at every tenth
// under about half a decade, and marks the other integer multiples
// unlabelled.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	mantissas := [][]float64{{1, 2, 5}, {1, 1.5, 2, 3, 5, 7}, {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9}}
	first, last := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	k := 0
	switch decades := math.Log10(hi / lo); {
	case decades < 0.6:
		k = 2
	case decades < 2.5:
		k = 1
	}
	var ticks []plot.Tick
	major := map[float64]bool{}
	for ; k < len(mantissas); k++ {
		ticks, major = ticks[:0], map[float64]bool{}
		for e := first; e <= last; e++ {
			for _, m := range mantissas[k] {
				if v := value(m, e); v >= lo && v <= hi {
					ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
					major[v] = true
				}
			}
		}
		if len(ticks) >= 3 {
			break
		}
	}
	for e := first; e <= last; e++ {
		for m := 1.0; m <= 9; m++ {
			if v := value(m, e); v >= lo && v <= hi && !major[v] {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	slices.SortFunc(ticks, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	return ticks
}

// linearTicks labels a linear axis every 1, 2 or 5 times a power of ten,
// the smallest such step that gives at most eight labels, with an
// unlabelled tick halfway between labels. Unlike plot.DefaultTicks it
// labels a dB axis at whole decibels (-2, 0, 2 rather than -2.50, 2.50).
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !finite(lo, hi) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	e := int(math.Floor(math.Log10((hi - lo) / 10)))
	for ; ; e++ {
		for _, m := range []float64{1, 2, 5} {
			step := value(m, e)
			first, last := math.Ceil(lo/step), math.Floor(hi/step)
			if last-first+1 > 8 {
				continue
			}
			var ticks []plot.Tick
			for k := first; k <= last; k++ {
				v := value(k*m, e)
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
			for k := 2*first - 1; k <= 2*last+1; k += 2 {
				if v := value(k*m, e) / 2; v >= lo && v <= hi {
					ticks = append(ticks, plot.Tick{Value: v})
				}
			}
			slices.SortFunc(ticks, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
			return ticks
		}
	}
}

// value returns m·10^e, rounded once: 7/10 is 0.7, 7·0.1 is not.
func value(m float64, e int) float64 {
	if e < 0 {
		return m / math.Pow10(-e)
	}
	return m * math.Pow10(e)
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
