package study

import (
	"encoding/json"
	"strings"
	"testing"

	"obd/model"
)

// Methods may be given with parameters, as a mapping: they parse, are
// labelled by prune.Spec.String, and their parameters enter the unit key
// only when given (the bare name, and a mapping without parameters, keep
// the key and the definition hash of the plain string).
func TestMethodsWithParameters(t *testing.T) {
	parse := func(methods string) *Definition {
		t.Helper()
		d, err := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "methods: [obd, magnitude]", "methods: "+methods, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	plain := parse("[obd, obs]")
	mapped := parse("[obd, {name: obs}]")
	damped := parse("[obd, {name: obs, damping: 0.001, recompute: target}]")
	block := parse("\n  - obd\n  - name: obs\n    damping: 1e-3\n    recompute: target\n")
	if got := strings.Join(damped.MethodLabels(), " "); got != "obd obs(damping=0.001,recompute=target)" {
		t.Errorf("labels %q", got)
	}
	if plain.Hash() != mapped.Hash() || plain.Hash() == damped.Hash() || damped.Hash() != block.Hash() {
		t.Errorf("hashes: plain %s, mapping without parameters %s, with %s, block style %s", plain.Hash(), mapped.Hash(), damped.Hash(), block.Hash())
	}
	b, _ := json.Marshal(damped.Methods)
	if string(b) != `["obd",{"damping":0.001,"name":"obs","recompute":"target"}]` {
		t.Errorf("JSON %s", b)
	}
	net := model.LeNet1()
	key := func(d *Definition, i int) string {
		return unitKeyOf(d, net, d.Methods[i].String(), "global", "gonum")
	}
	if key(plain, 1) != key(mapped, 1) || key(plain, 1) == key(damped, 1) || key(plain, 0) != key(damped, 0) {
		t.Errorf("unit keys: obs %s, {name: obs} %s, with parameters %s", key(plain, 1), key(mapped, 1), key(damped, 1))
	}
	if key(plain, 1) != unitKeyOf(plain, net, "obs", "global", "gonum") {
		t.Error("the bare name's key is not the name's")
	}
}

// Bad methods are errors naming the file, the line and the field, the
// parameter included.
func TestMethodErrors(t *testing.T) {
	for _, c := range []struct{ methods, want string }{
		{"[obd, {name: obs, dampng: 0.1}]", `t.yaml:6: methods[1].dampng: method obs has no parameter "dampng" (known: [damping hessian recompute block])`},
		{"[obd, {name: obs, damping: -1}]", "t.yaml:6: methods[1].damping: -1: want a number > 0"},
		{"[obd, {name: obs, damping: [1]}]", "t.yaml:6: methods[1].damping: want a number or a string, got a list"},
		{"\n  - obd\n  - name: obs\n    block: 0\n", "t.yaml:9: methods[1].block: 0: want an integer ≥ 1"},
		{"[obd, {name: obd, damping: 0.1}]", `t.yaml:6: methods[1].damping: method obd has no parameter "damping" (known: none)`},
		{"[obd, {damping: 0.1}]", "t.yaml:6: methods[1]: a method given as a mapping needs a name"},
		{"[obd, {name: [obs]}]", "t.yaml:6: methods[1].name: want a method name, got a list"},
		{"[obd, [obs]]", "t.yaml:6: methods[1]: want a method name or a mapping of name and parameters, got a list"},
		{"[obd, 3]", "t.yaml:6: methods[1]: want a method name, got 3"},
		{"[obs, {name: obs}]", "t.yaml:6: methods[1]: method obs listed twice"},
		{"[{name: obs, damping: 0.01}, {damping: 1e-2, name: obs}]", "t.yaml:6: methods[1]: method obs(damping=0.01) listed twice"},
	} {
		_, err := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "methods: [obd, magnitude]", "methods: "+c.methods, 1)))
		if err == nil || err.Error() != c.want {
			t.Errorf("methods %s:\n got %v\nwant %s", c.methods, err, c.want)
		}
	}
	src := strings.Replace(strings.Replace(valid, "methods: [obd, magnitude]", "methods: [obd, obs]", 1), "scopes: [global]", "scopes: [global, per-layer]", 1)
	if _, err := Parse("t.yaml", strings.NewReader(src)); err == nil || err.Error() != "t.yaml:6: methods[1]: method obs deletes globally only, not in scope per-layer" {
		t.Errorf("obs per layer: %v", err)
	}
	src = strings.Replace(strings.Replace(valid, "methods: [obd, magnitude]", "methods: [obd, obs-layerwise]", 1), "scopes: [global]", "scopes: [global, per-layer]", 1)
	if _, err := Parse("t.yaml", strings.NewReader(src)); err != nil {
		t.Errorf("obs-layerwise global and per layer: %v", err)
	}
	src = strings.Replace(strings.Replace(valid, "methods: [obd, magnitude]", "methods: [obd, {name: obs-layerwise, damping: 0.1}]", 1), "scopes: [global]", "scopes: [budget]", 1)
	if _, err := Parse("t.yaml", strings.NewReader(src)); err == nil || !strings.Contains(err.Error(), "methods[1]: method obs-layerwise(damping=0.1) deletes in scopes [global per-layer] only, not in scope budget") {
		t.Errorf("obs-layerwise with budgets: %v", err)
	}
}
