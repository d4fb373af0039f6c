// Package gobench reads the output of `go test -bench` (the Go benchmark
// data format), for the programs that turn benchmark files into tables:
// scripts/benchcompare and `go run ./experiments -experiments-md`.
package gobench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Result is one result line of `go test -bench` output.
type Result struct {
	Name   string             // without "Benchmark" and the -procs suffix, e.g. "TrainEpoch/lenet1"
	Procs  int                // GOMAXPROCS, from the -N suffix (1 when absent)
	Iters  int                // iterations
	Values map[string]float64 // by unit: "ns/op", "samples/s", ...
	Line   int                // line number in the file
}

// File is a parsed `go test -bench` output.
type File struct {
	Name    string            // file name, for messages
	Config  map[string]string // "key: value" lines (goos, goarch, pkg, cpu); the last value wins
	Results []Result
}

// Parse reads `go test -bench` output in the Go benchmark data format:
// "key: value" configuration lines, and result lines
//
//	BenchmarkName-PROCS  ITERATIONS  VALUE UNIT  [VALUE UNIT ...]
//
// Other lines (PASS, ok, test logs) are skipped. A result line that does not
// parse, or a test or benchmark failure ("FAIL", "--- FAIL"), is an error
// naming the file and line. name is used in messages only.
func Parse(r io.Reader, name string) (*File, error) {
	f := &File{Name: name, Config: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case strings.HasPrefix(line, "--- FAIL") || fields[0] == "FAIL" || strings.HasPrefix(line, "panic:"):
			return nil, fmt.Errorf("%s:%d: the benchmark failed: %q", name, n, line)
		case strings.HasPrefix(fields[0], "Benchmark") && isBenchName(fields[0]):
			if len(fields) == 1 {
				// A name alone: a benchmark that printed before its result
				// (its result line, if any, follows with the name) or one
				// that was skipped. Nothing to read.
				continue
			}
			res, err := parseResult(fields)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v in %q", name, n, err, line)
			}
			res.Line = n
			f.Results = append(f.Results, res)
		default:
			if k, v, ok := configLine(line); ok {
				f.Config[k] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return f, nil
}

// isBenchName: "Benchmark" followed by nothing or by a character that is not
// a lower-case letter (the format's rule: BenchmarkFoo, not Benchmarking).
func isBenchName(s string) bool {
	rest := s[len("Benchmark"):]
	return rest == "" || !(rest[0] >= 'a' && rest[0] <= 'z')
}

func parseResult(fields []string) (Result, error) {
	res := Result{Procs: 1, Values: map[string]float64{}}
	name := strings.TrimPrefix(fields[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		if p, err := strconv.Atoi(name[i+1:]); err == nil && p > 0 {
			name, res.Procs = name[:i], p
		}
	}
	if name == "" {
		return res, errors.New("empty benchmark name")
	}
	res.Name = name
	it, err := strconv.Atoi(fields[1])
	if err != nil || it < 1 {
		return res, fmt.Errorf("iteration count %q is not a positive integer", fields[1])
	}
	res.Iters = it
	vals := fields[2:]
	if len(vals) == 0 {
		return res, errors.New("no measurements after the iteration count")
	}
	if len(vals)%2 != 0 {
		return res, fmt.Errorf("value %q has no unit", vals[len(vals)-1])
	}
	for i := 0; i < len(vals); i += 2 {
		v, err := strconv.ParseFloat(vals[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return res, fmt.Errorf("value %q (unit %q) is not a non-negative number", vals[i], vals[i+1])
		}
		if _, dup := res.Values[vals[i+1]]; dup {
			return res, fmt.Errorf("unit %q given twice", vals[i+1])
		}
		res.Values[vals[i+1]] = v
	}
	if _, ok := res.Values["ns/op"]; !ok {
		return res, errors.New("no ns/op measurement")
	}
	return res, nil
}

// configLine recognises "key: value" with a key of lower-case letters,
// digits and - _ . / (the format's keys begin with a lower-case letter).
func configLine(line string) (k, v string, ok bool) {
	i := strings.Index(line, ":")
	if i <= 0 || line[0] < 'a' || line[0] > 'z' {
		return "", "", false
	}
	for _, c := range line[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./", c)) {
			return "", "", false
		}
	}
	return line[:i], strings.TrimSpace(line[i+1:]), true
}

// Median is the median of v (the mean of the middle two for an even
// count), the statistic the benchmark tables report over runs; v is not
// modified. It panics on an empty v.
func Median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
