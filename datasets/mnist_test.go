package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadReal(t *testing.T) {
	m := realMNIST(t)
	for _, c := range []struct {
		name string
		s    *Set
		n    int
		hist [Classes]int
		head []uint8
	}{
		{"train", m.Train, TrainN, [Classes]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, []uint8{5, 0, 4, 1, 9}},
		{"test", m.Test, TestN, [Classes]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, []uint8{7, 2, 1, 0, 4}},
	} {
		if c.s.N() != c.n || len(c.s.Images) != c.n*Pixels {
			t.Fatalf("%s: N=%d, %d pixels; want %d examples", c.name, c.s.N(), len(c.s.Images), c.n)
		}
		var hist [Classes]int
		for _, l := range c.s.Labels {
			hist[l]++
		}
		if hist != c.hist {
			t.Errorf("%s label histogram %v, want %v", c.name, hist, c.hist)
		}
		sum := 0
		for _, h := range hist {
			sum += h
		}
		if sum != c.n {
			t.Errorf("%s histogram sums to %d", c.name, sum)
		}
		if got := c.s.Labels[:len(c.head)]; string(got) != string(c.head) {
			t.Errorf("%s first labels %v, want %v", c.name, got, c.head)
		}
		// Images are centred digits: the corner pixel is background, and
		// every image has some ink.
		for i := range c.s.N() {
			img := c.s.Image(i)
			ink := 0
			for _, p := range img {
				ink += int(p)
			}
			if img[0] != 0 || ink == 0 {
				t.Fatalf("%s image %d: corner %d, total ink %d", c.name, i, img[0], ink)
			}
		}
	}
	if m.Dir == "" {
		t.Error("Dir not recorded")
	}
}

// copyData copies the real files to a temp dir, applying edit to the named one.
func copyData(t *testing.T, edit string, fn func([]byte) []byte) string {
	t.Helper()
	src := realMNIST(t).Dir
	dst := t.TempDir()
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == edit {
			b = fn(b)
		}
		writeFile(t, dst, f, b)
	}
	return dst
}

func TestLoadChecksumMismatch(t *testing.T) {
	var got string
	dir := copyData(t, TestLabelsFile, func(b []byte) []byte {
		b[len(b)/2] ^= 0x01
		s := sha256.Sum256(b)
		got = hex.EncodeToString(s[:])
		return b
	})
	_, err := Load(dir)
	wantErr(t, err, filepath.Join(dir, TestLabelsFile), "SHA-256 mismatch", sha256sums[TestLabelsFile], got)
}

func TestLoadMissingFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	wantErr(t, err, filepath.Join(dir, TrainImagesFile), "no such file")
}

func TestLoadOversizedFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, TrainImagesFile, make([]byte, maxCompressed+1))
	_, err := Load(dir)
	wantErr(t, err, filepath.Join(dir, TrainImagesFile), "exceeds")
}

func TestParseValid(t *testing.T) {
	img, err := ParseImages("x", validImagesGz(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if img.N != 3 || string(img.Pix) != string(images(3)) {
		t.Fatalf("N=%d, pixels differ=%v", img.N, string(img.Pix) != string(images(3)))
	}
	lbl, err := ParseLabels("y", validLabelsGz(t, []byte{0, 9, 4}))
	if err != nil {
		t.Fatal(err)
	}
	if string(lbl) != "\x00\x09\x04" {
		t.Fatalf("labels %v", lbl)
	}
	// Empty files are well-formed (the count check is done by Load).
	if img, err := ParseImages("x", validImagesGz(t, 0)); err != nil || img.N != 0 {
		t.Fatalf("empty images: %v, %v", img, err)
	}
}

func TestParseImagesErrors(t *testing.T) {
	valid := validImagesGz(t, 2)
	for _, c := range []struct {
		name string
		gz   []byte
		want string
	}{
		{"truncated gzip", valid[:len(valid)/2], "gzip: unexpected EOF"},
		{"truncated gzip trailer", valid[:len(valid)-4], "gzip: unexpected EOF"},
		{"not gzip", []byte("this is not a gzip file at all"), "gzip: invalid header"},
		{"empty", nil, "gzip: EOF"},
		{"corrupt checksum", func() []byte {
			b := append([]byte(nil), valid...)
			b[len(b)-8] ^= 0xff // CRC-32 in the trailer
			return b
		}(), "gzip: invalid checksum"},
		{"garbage after stream", append(append([]byte(nil), valid...), "junk after the gzip stream"...), "gzip: invalid header"},
		{"short header", gz(t, []byte{0, 0, 8, 3, 0, 0}), "truncated header: 6 bytes"},
		{"wrong magic", gz(t, idx3(0x0803_0000, 2, Rows, Cols, images(2))), "bad magic 0x08030000"},
		{"label magic", gz(t, idx3(labelMagic, 2, Rows, Cols, images(2))), "bad magic 0x00000801"},
		{"27x28", gz(t, idx3(imageMagic, 2, 27, Cols, images(2)[:2*27*28])), "images are 27×28"},
		{"28x27", gz(t, idx3(imageMagic, 2, Rows, 27, images(2)[:2*27*28])), "images are 28×27"},
		{"count too large", gz(t, idx3(imageMagic, 3, Rows, Cols, images(2))), "header claims 3 images (2352 pixel bytes) but only 1568 bytes present"},
		{"count 1e9", gz(t, idx3(imageMagic, 1e9, Rows, Cols, make([]byte, 10))), "header claims 1000000000 images"},
		{"count max", gz(t, idx3(imageMagic, 1<<32-1, Rows, Cols, nil)), "header claims 4294967295 images"},
		{"trailing bytes", gz(t, idx3(imageMagic, 2, Rows, Cols, append(images(2), 1, 2, 3))), "3 trailing bytes after 2 images"},
		{"bomb", gz(t, make([]byte, maxImagesSize+1)), "decompressed size exceeds 47040016 bytes"},
		{"huge compressed", make([]byte, maxCompressed+1), "compressed size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := ParseImages("some/file.gz", c.gz)
			wantErr(t, err, "mnist some/file.gz: ", c.want)
			if img != nil {
				t.Errorf("non-nil result with error")
			}
		})
	}
}

func TestParseLabelsErrors(t *testing.T) {
	valid := validLabelsGz(t, []byte{1, 2, 3})
	for _, c := range []struct {
		name string
		gz   []byte
		want string
	}{
		{"truncated gzip", valid[:len(valid)-3], "gzip: unexpected EOF"},
		{"not gzip", []byte{0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}, "gzip: invalid header"},
		{"short garbage", []byte{0, 0, 8, 1}, "gzip: unexpected EOF"},
		{"short header", gz(t, []byte{0, 0, 8}), "truncated header: 3 bytes"},
		{"wrong magic", gz(t, idx1(imageMagic, 3, []byte{1, 2, 3})), "bad magic 0x00000803"},
		{"count too large", gz(t, idx1(labelMagic, 1e9, []byte{1, 2})), "header claims 1000000000 labels but only 2 bytes present"},
		{"trailing bytes", gz(t, idx1(labelMagic, 2, []byte{1, 2, 3})), "1 trailing bytes after 2 labels"},
		{"label 10", gz(t, idx1(labelMagic, 5, []byte{0, 9, 3, 10, 200})), "label 10 at index 3"},
		{"label 255", gz(t, idx1(labelMagic, 1, []byte{255})), "label 255 at index 0"},
		{"bomb", gz(t, make([]byte, maxLabelsSize+1)), "decompressed size exceeds 60008 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lbl, err := ParseLabels("l.gz", c.gz)
			wantErr(t, err, "mnist l.gz: ", c.want)
			if lbl != nil {
				t.Errorf("non-nil result with error")
			}
		})
	}
}

// A header claiming a billion images must fail fast without allocating
// anything near its claimed size.
func TestHugeCountNoBigAlloc(t *testing.T) {
	imgs := gz(t, idx3(imageMagic, 1e9, Rows, Cols, make([]byte, 10)))
	lbls := gz(t, idx1(labelMagic, 1e9, make([]byte, 10)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err1 := ParseImages("i", imgs)
	_, err2 := ParseLabels("l", lbls)
	runtime.ReadMemStats(&after)
	if err1 == nil || err2 == nil {
		t.Fatalf("want errors, got %v, %v", err1, err2)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("allocated %d bytes for a 10-byte body", d)
	}
}

func TestParseSetCounts(t *testing.T) {
	imgs := validImagesGz(t, 3)
	_, err := parseSet("a/imgs.gz", imgs, "a/lbls.gz", validLabelsGz(t, []byte{1, 2}), 3)
	wantErr(t, err, "mnist a/imgs.gz: 3 images but a/lbls.gz has 2 labels")
	_, err = parseSet("a/imgs.gz", imgs, "a/lbls.gz", validLabelsGz(t, []byte{1, 2, 3}), 5)
	wantErr(t, err, "mnist a/imgs.gz: 3 images, want 5")
	s, err := parseSet("a/imgs.gz", imgs, "a/lbls.gz", validLabelsGz(t, []byte{1, 2, 3}), 3)
	if err != nil || s.N() != 3 || len(s.Images) != 3*Pixels {
		t.Fatalf("valid set: %v", err)
	}
	// Errors from either file are passed through with that file's name.
	_, err = parseSet("a/imgs.gz", imgs, "a/lbls.gz", []byte("junk"), 3)
	wantErr(t, err, "mnist a/lbls.gz: gzip")
}

// load without checksums runs synthetic files through Load's own path.
func TestLoadUnverified(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, TrainImagesFile, validImagesGz(t, 3))
	writeFile(t, dir, TrainLabelsFile, validLabelsGz(t, []byte{1, 2}))
	writeFile(t, dir, TestImagesFile, validImagesGz(t, 1))
	writeFile(t, dir, TestLabelsFile, validLabelsGz(t, []byte{1}))
	_, err := load(dir, false)
	wantErr(t, err, filepath.Join(dir, TrainImagesFile)+": 3 images but "+filepath.Join(dir, TrainLabelsFile)+" has 2 labels")

	writeFile(t, dir, TrainLabelsFile, validLabelsGz(t, []byte{1, 2, 3}))
	_, err = load(dir, false)
	wantErr(t, err, filepath.Join(dir, TrainImagesFile)+": 3 images, want 60000")

	// With verification on, the same files fail on the checksum first.
	_, err = Load(dir)
	wantErr(t, err, filepath.Join(dir, TrainImagesFile), "SHA-256 mismatch")
	if strings.Contains(err.Error(), "labels") {
		t.Errorf("checksum should be checked before parsing: %v", err)
	}
}
