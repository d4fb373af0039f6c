package study

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"obd/prune"
)

// maxSchemaNodes bounds the nodes checkSchema visits, aliases followed, so
// that an alias bomb is refused instead of expanded.
const maxSchemaNodes = 20000

// checkSchema walks a definition's YAML tree against the Go type it
// decodes into, before decoding, and returns the first mismatch as a
// *fieldError with its dotted path (training.epochs, grid[3]) and line: an
// unknown key, a list where a number belongs, a string or a fraction where
// an integer belongs. The YAML decoder would report some of these by line
// only, and would silently truncate 1.5 to an integer field's 1.
func checkSchema(n *yaml.Node, t reflect.Type) (line int, err error) {
	c := &schemaCheck{budget: maxSchemaNodes}
	err = c.check(n, t, "")
	return c.line, err
}

type schemaCheck struct {
	budget int
	line   int // of the node that failed
}

func (c *schemaCheck) fail(n *yaml.Node, path, format string, args ...any) error {
	c.line = n.Line
	if path == "" {
		path = "(document)"
	}
	return fieldErr(path, format, args...)
}

func (c *schemaCheck) check(n *yaml.Node, t reflect.Type, path string) error {
	if c.budget--; c.budget < 0 {
		return c.fail(n, path, "more than %d YAML nodes (aliases expanded)", maxSchemaNodes)
	}
	if n.Kind == yaml.AliasNode {
		return c.check(n.Alias, t, path)
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil // the zero value, which validation judges
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[prune.Spec]() {
		return c.checkMethod(n, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return c.fail(n, path, "want a mapping of keys to values, got %s", describeNode(n))
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
				fields[name] = f
				names = append(names, name)
			}
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				return c.fail(k, p, "unknown key (known: %s)", strings.Join(names, ", "))
			}
			if seen[k.Value] {
				return c.fail(k, p, "key given twice")
			}
			seen[k.Value] = true
			if err := c.check(v, f.Type, p); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return c.fail(n, path, "want a list, got %s", describeNode(n))
		}
		for i, e := range n.Content {
			if e.Kind == yaml.ScalarNode && e.ShortTag() == "!!null" {
				// The decoder would drop it from the list, silently.
				return c.fail(e, fmt.Sprintf("%s[%d]", path, i), "empty entry (null): give a value or remove it")
			}
			if err := c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return c.fail(n, path, "want a mapping of keys to values, got %s", describeNode(n))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			if k.Kind != yaml.ScalarNode {
				return c.fail(k, path, "want a name as key, got %s", describeNode(k))
			}
			if seen[k.Value] {
				return c.fail(k, p, "key given twice")
			}
			seen[k.Value] = true
			if err := c.check(v, t.Elem(), p); err != nil {
				return err
			}
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return c.fail(n, path, "want a string, got %s", describeNode(n))
		}
	case reflect.Int, reflect.Uint64:
		v, ok := integer(n)
		switch {
		case !ok:
			return c.fail(n, path, "want an integer, got %s", describeNode(n))
		case t.Kind() == reflect.Uint64 && v < 0:
			return c.fail(n, path, "want an integer ≥ 0, got %s", n.Value)
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" && n.ShortTag() != "!!float" {
			return c.fail(n, path, "want a number, got %s", describeNode(n))
		}
	default:
		return c.fail(n, path, "cannot check a field of type %s", t)
	}
	return nil
}

// checkMethod checks a method: a name, or a mapping of its name and
// parameters, each a number or a string. Which parameters a method takes
// is the method's to say (prune.NewSpec, at validation, names an unknown
// one by its path and line).
func (c *schemaCheck) checkMethod(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() != "!!str" {
			return c.fail(n, path, "want a method name, got %s", describeNode(n))
		}
		return nil
	case yaml.MappingNode:
	default:
		return c.fail(n, path, "want a method name or a mapping of name and parameters, got %s", describeNode(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if seen[k.Value] {
			return c.fail(k, p, "key given twice")
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		switch {
		case k.Value == "name" && (v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str"):
			return c.fail(v, p, "want a method name, got %s", describeNode(v))
		case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" && v.ShortTag() != "!!int" && v.ShortTag() != "!!float":
			return c.fail(v, p, "want a number or a string, got %s", describeNode(v))
		}
	}
	if !seen["name"] {
		return c.fail(n, path, "a method given as a mapping needs a name")
	}
	return nil
}

// integer reads an integer scalar, accepting an integral float such as
// 30.0 or 1e3 and refusing 1.5.
func integer(n *yaml.Node) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		return 0, false
	}
	var v float64
	switch n.ShortTag() {
	case "!!int":
		if err := n.Decode(&v); err != nil {
			return 0, false
		}
	case "!!float":
		if err := n.Decode(&v); err != nil || v != math.Trunc(v) || math.IsInf(v, 0) {
			return 0, false
		}
	default:
		return 0, false
	}
	return v, math.Abs(v) < 1<<53
}

// describeNode says what a node is, for an error: a quoted scalar or the
// kind of a collection.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if n.ShortTag() == "!!str" {
		return strconv.Quote(n.Value)
	}
	return n.Value
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
