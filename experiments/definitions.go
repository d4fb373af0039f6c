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
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, err
		}
		d, err := study.Parse(arg, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		// A file that takes a shipped definition's name writes to that
		// definition's results (and a baseline variant's rows): it must
		// be that definition.
		if own, file, err := loadEmbedded(d.Name); err == nil && own != nil && own.Hash() != d.Hash() {
			return nil, fmt.Errorf("%s:%d: name: %q is the name of %s, and this file differs from it: "+
				"give it a name of its own, or its results would be written over that one's", arg, nameLine(b), d.Name, file)
		}
		return d, nil
	}
	if d, _, err := loadEmbedded(arg); err != nil || d != nil {
		return d, err
	}
	return nil, fmt.Errorf("no definition %q (shipped: %s; baseline variants: %s; or give a .yaml path)",
		arg, strings.Join(shippedNames(), ", "), strings.Join(variantNames(), ", "))
}

// loadEmbedded returns the shipped definition or baseline variant called
// name and its file; nil and no error when there is none.
func loadEmbedded(name string) (d *study.Definition, file string, err error) {
	for _, dir := range []string{"definitions", "variants"} {
		f := path.Join(dir, name+".yaml")
		if b, err := shipped.ReadFile(f); err == nil {
			d, err := study.Parse("experiments/"+f, bytes.NewReader(b))
			return d, "experiments/" + f, err
		}
	}
	return nil, "", nil
}

// nameLine is the line of a definition file's top-level name key (1 when
// it cannot be found).
func nameLine(b []byte) int {
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "name:") {
			return i + 1
		}
	}
	return 1
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
