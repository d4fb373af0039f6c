package datasets

import (
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/FuzzParse{Images,Labels}: a valid small file,
// a truncated one and a header claiming a huge count.

func FuzzParseImages(f *testing.F) {
	f.Fuzz(func(t *testing.T, gz []byte) {
		img, err := ParseImages("fuzz.gz", gz)
		if err != nil {
			if img != nil || !strings.HasPrefix(err.Error(), "mnist fuzz.gz: ") {
				t.Fatalf("result %v with error %q", img, err)
			}
			return
		}
		if img.N < 0 || img.N > TrainN || len(img.Pix) != img.N*Pixels {
			t.Fatalf("N=%d with %d pixel bytes", img.N, len(img.Pix))
		}
	})
}

func FuzzParseLabels(f *testing.F) {
	f.Fuzz(func(t *testing.T, gz []byte) {
		lbl, err := ParseLabels("fuzz.gz", gz)
		if err != nil {
			if lbl != nil || !strings.HasPrefix(err.Error(), "mnist fuzz.gz: ") {
				t.Fatalf("result %v with error %q", lbl, err)
			}
			return
		}
		if len(lbl) > TrainN {
			t.Fatalf("%d labels", len(lbl))
		}
		for i, l := range lbl {
			if l >= Classes {
				t.Fatalf("label %d at index %d accepted", l, i)
			}
		}
	})
}
