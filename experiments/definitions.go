package main

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"text/tabwriter"

	"obd/model"
	"obd/study"
)

//go:embed definitions/*.yaml variants/*.yaml
var shipped embed.FS

// shippedNames lists the embedded definitions, sorted: the studies, not
// the dense-baseline variants.
func shippedNames() []string { return embeddedNames("definitions") }

// variantNames lists the embedded dense-baseline variants
// (experiments/variants/), sorted: definitions whose dense net only
// -baselines trains, to record recipes tried against the baselines.
func variantNames() []string { return embeddedNames("variants") }

func embeddedNames(dir string) []string {
	entries, _ := shipped.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// load returns the definition named by arg: a shipped name, or a path to a
// YAML file (anything ending in .yaml or .yml, or containing a slash).
func load(arg string) (*study.Definition, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator) {
		f, err := os.Open(arg)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return study.Parse(arg, f)
	}
	for _, dir := range []string{"definitions", "variants"} {
		file := path.Join(dir, arg+".yaml")
		if b, err := shipped.ReadFile(file); err == nil {
			return study.Parse("experiments/"+file, bytes.NewReader(b))
		}
	}
	return nil, fmt.Errorf("no definition %q (shipped: %s; baseline variants: %s; or give a .yaml path)",
		arg, strings.Join(shippedNames(), ", "), strings.Join(variantNames(), ", "))
}

// loadAll parses every named definition before anything runs, so a bad
// file stops the command before it writes anything.
func loadAll(names []string) ([]*study.Definition, error) {
	var defs []*study.Definition
	seen := map[string]string{}
	for _, n := range names {
		d, err := load(n)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[d.Name]; ok {
			return nil, fmt.Errorf("%s and %s both define %q", prev, n, d.Name)
		}
		seen[d.Name] = n
		defs = append(defs, d)
	}
	return defs, nil
}

func list(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	for _, n := range shippedNames() {
		d, err := load(n)
		if err != nil {
			return err
		}
		def := ""
		for _, dn := range defaultDefinitions {
			if dn == n {
				def = " (default)"
			}
		}
		net, _ := model.ByName(d.Network)
		g := d.Targets(net)
		fmt.Fprintf(w, "%s\t%s\t%s\tmethods %s; scopes %s; %d seeds; %d targets up to %.0f%%%s\n",
			d.Name, d.Network, d.Schedule, strings.Join(d.MethodLabels(), ","), strings.Join(d.Scopes, ","),
			len(d.Seeds), len(g), 100*g[len(g)-1], def)
	}
	return w.Flush()
}
