package study

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: whatever the bytes, Parse returns a definition that passed
// validation or an error naming the file; it never panics.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../experiments/definitions/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(valid))
	f.Add([]byte(strings.Replace(valid, "[obd, magnitude]", "[obd, {name: obs, damping: 0.01, recompute: target}]", 1)))
	f.Add([]byte("name: [unclosed\n"))
	f.Add([]byte("grid: [0.5, 1.5]\n"))
	f.Add([]byte("a: &a [x, x]\nb: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse("f.yaml", strings.NewReader(string(src)))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, g := range d.Grid {
			if !(g >= 0 && g < 1) {
				t.Fatalf("accepted grid fraction %v", g)
			}
		}
		if len(d.Seeds) == 0 || len(d.Methods) == 0 {
			t.Fatalf("accepted %+v", d)
		}
	})
}
