package prune

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Spec names a method and the parameters a definition gives it. In YAML
// and JSON it is the bare name when it has no parameters ("obd"), which
// keeps the hashes and unit keys of definitions written before methods had
// parameters, and otherwise a mapping of the name and the parameters
// ({name: obs, damping: 0.01}).
type Spec struct {
	Name string
	// Params are the parameters given, by name: numbers (int or float64)
	// and strings. Nil or empty: the method's defaults.
	Params Params
}

// Params are a method's parameters as a definition gives them.
type Params map[string]any

// ParamError is an error about one parameter of a method.
type ParamError struct {
	Param string
	Err   error
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Err.Error() }
func (e *ParamError) Unwrap() error { return e.Err }

// String labels the method in outputs (points.csv's method column, unit
// files) and keys: the name alone without parameters, otherwise the name
// and the parameters given, sorted by name, as name(k1=v1,k2=v2); numbers
// in Go's shortest form (strconv 'g', so 0.01 and 1e-2 label alike).
// Parameters left out are not written, even when their defaults would be.
func (s Spec) String() string {
	keys := s.Params.keys()
	if len(keys) == 0 {
		return s.Name
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + formatParam(s.Params[k])
	}
	return s.Name + "(" + strings.Join(parts, ",") + ")"
}

func formatParam(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return strconv.Itoa(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func (p Params) keys() []string {
	var ks []string
	for k := range p {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// MarshalJSON writes the bare name without parameters, the mapping
// otherwise (keys sorted, as encoding/json sorts a map's).
func (s Spec) MarshalJSON() ([]byte, error) {
	if len(s.Params) == 0 {
		return json.Marshal(s.Name)
	}
	m := map[string]any{"name": s.Name}
	for k, v := range s.Params {
		m[k] = v
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Spec) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*s = Spec{}
		return json.Unmarshal(b, &s.Name)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, v := range m {
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			m[k] = int(f) // JSON has numbers only; an integral one reads back as an int
		}
	}
	return s.fromMap(m)
}

// UnmarshalYAML reads the bare name or the mapping; it uses the YAML
// decoder's function form, so that this package does not import the
// YAML library.
func (s *Spec) UnmarshalYAML(unmarshal func(any) error) error {
	var name string
	if err := unmarshal(&name); err == nil {
		*s = Spec{Name: name}
		return nil
	}
	var m map[string]any
	if err := unmarshal(&m); err != nil {
		return errors.New("a method is a name or a mapping of name and parameters")
	}
	return s.fromMap(m)
}

func (s *Spec) fromMap(m map[string]any) error {
	name, ok := m["name"].(string)
	if !ok || name == "" {
		return errors.New("a method given as a mapping needs a name")
	}
	*s = Spec{Name: name}
	for k, v := range m {
		if k == "name" {
			continue
		}
		switch v.(type) {
		case int, float64, string:
		default:
			return &ParamError{Param: k, Err: fmt.Errorf("want a number or a string, got %v", v)}
		}
		if s.Params == nil {
			s.Params = Params{}
		}
		s.Params[k] = v
	}
	return nil
}

// Float returns parameter key as a number, def when it is not given.
func (p Params) Float(key string, def float64) (float64, error) {
	switch v := p[key].(type) {
	case nil:
		return def, nil
	case float64:
		return v, nil
	case int:
		return float64(v), nil
	}
	return 0, &ParamError{Param: key, Err: fmt.Errorf("want a number, got %q", formatParam(p[key]))}
}

// Int returns parameter key as an integer, def when it is not given.
func (p Params) Int(key string, def int) (int, error) {
	switch v := p[key].(type) {
	case nil:
		return def, nil
	case int:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), nil
		}
	}
	return 0, &ParamError{Param: key, Err: fmt.Errorf("want an integer, got %s", formatParam(p[key]))}
}

// String returns parameter key as one of the strings allowed (the first
// is the default, returned when it is not given).
func (p Params) String(key string, allowed ...string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return allowed[0], nil
	case string:
		if slices.Contains(allowed, v) {
			return v, nil
		}
	}
	return "", &ParamError{Param: key, Err: fmt.Errorf("%s: want one of %v", formatParam(p[key]), allowed)}
}
