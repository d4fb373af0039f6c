package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	tparse "text/template/parse"
)

// The committed EXPERIMENTS.md is what the committed results and the
// template make: a change of results/ or of the prose without a
// regeneration fails here.
func TestExperimentsMDCurrent(t *testing.T) {
	t.Chdir("..")
	want, err := os.ReadFile("EXPERIMENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderExperiments("results")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		g, w := "(end of file)", "(end of file)"
		if line < len(gl) {
			g = gl[line]
		}
		if line < len(wl) {
			w = wl[line]
		}
		t.Errorf("EXPERIMENTS.md is stale: regenerate it with `go run ./experiments -experiments-md EXPERIMENTS.md`.\n"+
			"First difference, line %d:\ncommitted: %s\nresults:   %s", line+1, w, g)
	}
}

// paperFigures are the numbers EXPERIMENTS.md.tmpl may state in its own
// text: the paper's and the references' figures, names of equations,
// figures and issues, and facts about MNIST, each with where it comes from.
// Every other number in the text must come from a template action.
var paperFigures = []struct{ text, source string }{
	{"2578", "the zip-code net's free parameters (PAPER.md, the paper's section 4)"},
	{"98442", "the zip-code net's connections (PAPER.md)"},
	{"4635", "the zip-code net's units (PAPER.md)"},
	{"~800 of 2578", "Fig. 1b: good agreement up to about 800 deleted parameters (PAPER.md)"},
	{"about 800 of its 2578", "the same, in the discussion"},
	{"about 30% deleted", "the same, as the paper gives it: about 30% (PAPER.md)"},
	{"1500 of 2578", "Fig. 2: no loss up to 1500 parameters deleted (PAPER.md)"},
	{"30 passes", "the paper's training: 30 passes of SDLM (PAPER.md)"},
	{"1.1% / 3.4%", "the paper's train and test error on its zip-code data (PAPER.md)"},
	{"LeCun et al. 1998", "citation year"},
	{"Le Cun et al. (1998)", "citation year"},
	{"Han et al. 2015", "citation year"},
	{"Hassibi & Stork (1993)", "citation year"},
	{"Dong et al. 2017", "citation year"},
	{"Frantar & Alistarh 2022", "citation year"},
	{"1.7%", "LeNet-1's test error on MNIST, LeCun et al. 1998 (PAPER.md)"},
	{"1.64%", "LeNet-300-100 dense, Han et al. 2015 (PAPER.md)"},
	{"1.59%", "LeNet-300-100 with 8% of the weights, Han et al. 2015 (PAPER.md)"},
	{"0.80%", "LeNet-5 dense, Han et al. 2015 (PAPER.md)"},
	{"0.77%", "LeNet-5 with 8% of the weights, Han et al. 2015 (PAPER.md)"},
	{"8% of the weights", "Han et al.'s compression of both nets (PAPER.md)"},
	{"8%% of the weights", "the same, in a printf format"},
	{"keep 66% of them", "Han et al.'s LeNet-5 conv1: 66% of the weights kept (PAPER.md)"},
	{"60,000 training and\n  10,000 test images", "MNIST's training and test sets (LeCun et al. 1998)"},
	{"MNIST's 60,000", "MNIST's training set"},
	{"28×28", "MNIST's image size"},
	{"16×16", "LeCun et al. 1998's down-sampled LeNet-1 digits"},
	{"20-pixel", "MNIST's digits fit a 20×20 box (LeCun et al. 1998)"},
	{"p(1 − p)", "the softmax's Gauss–Newton curvature, a formula"},
	{"10·log10", "dB, a formula"},
	{"eq. (7)", "the paper's equation numbers"},
	{"eq. (5)", "the paper's equation numbers"},
	{"eq. 8", "the paper's equation numbers"},
	{"Fig. 1a", "the paper's figure names"},
	{"Fig. 1b", "the paper's figure names"},
	{"Fig. 2", "the paper's figure names"},
	{"issue #2", "the project's issue numbers"},
	{"(1998)", "citation year"},
}

// A stray number is a digit or a spelled quantity ("twice", "a tenth")
// in the template's text that is not in paperFigures. Identifiers with
// digits (lenet300, han-lenet5, LeNet-300-100, log10) are names, not
// numbers. "one" is not checked: it is mostly a pronoun here.
var (
	identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*`)
	numeral    = regexp.MustCompile(`[0-9]+(?:[.,][0-9]+)*`)
	numberWord = regexp.MustCompile(`(?i)\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|dozens?|half|halves|twice|thrice|double|triple|tenths?|hundredths?|thirds?|quarters?|sixth)\b`)
)

// strayNumbers returns the stray numbers of text, each with its context.
func strayNumbers(text string) []string {
	covered := make([]bool, len(text))
	for _, f := range paperFigures {
		for i := 0; ; {
			j := strings.Index(text[i:], f.text)
			if j < 0 {
				break
			}
			for k := i + j; k < i+j+len(f.text); k++ {
				covered[k] = true
			}
			i += j + 1
		}
	}
	for _, loc := range identifier.FindAllStringIndex(text, -1) {
		if strings.ContainsAny(text[loc[0]:loc[1]], "0123456789") {
			for k := loc[0]; k < loc[1]; k++ {
				covered[k] = true
			}
		}
	}
	var stray []string
	for _, re := range []*regexp.Regexp{numeral, numberWord} {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			ok := true
			for k := loc[0]; k < loc[1]; k++ {
				ok = ok && covered[k]
			}
			if !ok {
				lo, hi := max(0, loc[0]-30), min(len(text), loc[1]+30)
				stray = append(stray, strings.ReplaceAll(text[lo:hi], "\n", " "))
			}
		}
	}
	return stray
}

// templateStrays walks the parsed template: its text and string constants
// must hold no stray number, and a number constant may appear only in a
// variable declaration at the top level of the main template (the named
// parameters at its head).
func templateStrays(src string) ([]string, error) {
	builtins := map[string]any{}
	for _, f := range strings.Fields("and or not len index slice print printf println eq ne lt le gt ge call html js urlquery render") {
		builtins[f] = strings.Fields // any non-nil value: parse only checks that the name exists
	}
	trees, err := tparse.Parse("EXPERIMENTS.md.tmpl", src, "", "", mdFuncs, builtins)
	if err != nil {
		return nil, err
	}
	var stray []string
	var walk func(n tparse.Node, topDecl bool)
	walk = func(n tparse.Node, topDecl bool) {
		switch n := n.(type) {
		case nil:
		case *tparse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c, false)
			}
		case *tparse.TextNode:
			stray = append(stray, strayNumbers(string(n.Text))...)
		case *tparse.StringNode:
			stray = append(stray, strayNumbers(n.Text)...)
		case *tparse.NumberNode:
			if !topDecl {
				stray = append(stray, "number constant "+n.Text+" outside a declaration at the head of the template")
			}
		case *tparse.ActionNode:
			walk(n.Pipe, topDecl)
		case *tparse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c, topDecl)
			}
		case *tparse.CommandNode:
			for _, a := range n.Args {
				walk(a, topDecl)
			}
		case *tparse.IfNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		case *tparse.RangeNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		case *tparse.WithNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		case *tparse.TemplateNode:
			walk(n.Pipe, false)
		}
	}
	for name, tree := range trees {
		if tree.Root == nil {
			continue
		}
		for _, c := range tree.Root.Nodes {
			a, isAction := c.(*tparse.ActionNode)
			walk(c, name == "EXPERIMENTS.md.tmpl" && isAction && len(a.Pipe.Decl) > 0)
		}
	}
	return stray, nil
}

// The template's text quotes no number that no action produced, the
// paper's and the references' own figures aside (paperFigures).
func TestExperimentsTemplateNumbers(t *testing.T) {
	stray, err := templateStrays(experimentsTemplate)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stray {
		t.Errorf("EXPERIMENTS.md.tmpl: stray number in %q: compute it with an action, or list it in paperFigures with its source", s)
	}
}

// The check finds what it is for: a hand-typed number in a sentence, a
// spelled quantity, a number in an action's string, a number constant
// in an action; and lets names and listed figures pass.
func TestStrayNumbers(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{"OBD keeps 92% of the weights.", 1},
		{"about four and a half hours", 2},
		{"thirty times smaller", 1},
		{"within {{points 0.003}} points", 1},
		{`{{printf "%s at 60%%" "x"}}`, 1},
		{"lenet300, han-lenet5, LeNet-300-100 and log10 are names; 2578 and eq. (7) are the paper's.", 0},
		{"{{$x := 0.5}}a parameter, {{$x}}", 0},
		{"{{if true}}{{$x := 0.5}}{{$x}}{{end}}", 1},
	} {
		stray, err := templateStrays(tc.src)
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if len(stray) != tc.want {
			t.Errorf("%q: stray %q, want %d", tc.src, stray, tc.want)
		}
	}
}
