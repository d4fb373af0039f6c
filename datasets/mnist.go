package datasets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Image geometry and number of classes.
const (
	Rows    = 28
	Cols    = 28
	Pixels  = Rows * Cols
	Classes = 10
)

// Expected number of examples in the standard splits.
const (
	TrainN = 60000
	TestN  = 10000
)

// File names of the four standard MNIST files.
const (
	TrainImagesFile = "train-images-idx3-ubyte.gz"
	TrainLabelsFile = "train-labels-idx1-ubyte.gz"
	TestImagesFile  = "t10k-images-idx3-ubyte.gz"
	TestLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// Files lists the four files [Load] reads.
var Files = [4]string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile}

// sha256sums are the canonical digests of the gzip files.
var sha256sums = map[string]string{
	TrainImagesFile: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabelsFile: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImagesFile:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabelsFile:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

const (
	imageMagic  = 0x00000803
	labelMagic  = 0x00000801
	imageHeader = 16 // magic, count, rows, cols
	labelHeader = 8  // magic, count

	// Hard caps: the largest legitimate decompressed sizes and a bound on
	// the compressed input (the real train images are ~9.5 MiB).
	maxImagesSize = TrainN*Pixels + imageHeader
	maxLabelsSize = TrainN + labelHeader
	maxCompressed = 20 << 20
)

// Set is one split of MNIST.
type Set struct {
	Images []uint8 // N*Pixels grey levels, image after image, each row-major; 0 = background, 255 = ink
	Labels []uint8 // N digits 0–9
}

// MNIST holds both splits and the directory they were read from.
type MNIST struct {
	Train, Test *Set
	Dir         string
}

// N is the number of examples.
func (s *Set) N() int { return len(s.Labels) }

// Image returns the Pixels grey levels of example i (a view, not a copy).
func (s *Set) Image(i int) []uint8 {
	return s.Images[i*Pixels : (i+1)*Pixels : (i+1)*Pixels]
}

// Images is a parsed idx3 image file.
type Images struct {
	N   int     // number of images
	Pix []uint8 // N*Pixels grey levels, image after image, each row-major
}

func errf(name, format string, args ...any) error {
	return fmt.Errorf("mnist %s: %s", name, fmt.Sprintf(format, args...))
}

// gunzip decompresses gz, failing if the output would exceed limit bytes.
// Memory use is bounded by limit, never by anything inside the stream.
func gunzip(name string, gz []byte, limit int) ([]byte, error) {
	if len(gz) > maxCompressed {
		return nil, errf(name, "compressed size %d exceeds %d bytes", len(gz), maxCompressed)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("mnist %s: gzip: %w", name, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("mnist %s: gzip: %w", name, err)
	}
	if len(data) > limit {
		return nil, errf(name, "decompressed size exceeds %d bytes", limit)
	}
	return data, nil
}

// ParseImages parses a gzipped idx3 image file. name is used only in error
// messages. It checks the magic number, the 28×28 geometry and that the
// header count matches the data exactly.
func ParseImages(name string, gz []byte) (*Images, error) {
	data, err := gunzip(name, gz, maxImagesSize)
	if err != nil {
		return nil, err
	}
	if len(data) < imageHeader {
		return nil, errf(name, "truncated header: %d bytes, want %d", len(data), imageHeader)
	}
	be := binary.BigEndian
	if m := be.Uint32(data); m != imageMagic {
		return nil, errf(name, "bad magic 0x%08x, want 0x%08x (idx3 images)", m, imageMagic)
	}
	n, rows, cols := be.Uint32(data[4:]), be.Uint32(data[8:]), be.Uint32(data[12:])
	if rows != Rows || cols != Cols {
		return nil, errf(name, "images are %d×%d, want %d×%d", rows, cols, Rows, Cols)
	}
	have, want := uint64(len(data)-imageHeader), uint64(n)*Pixels
	switch {
	case have < want:
		return nil, errf(name, "header claims %d images (%d pixel bytes) but only %d bytes present", n, want, have)
	case have > want:
		return nil, errf(name, "%d trailing bytes after %d images", have-want, n)
	}
	return &Images{N: int(n), Pix: data[imageHeader:]}, nil
}

// ParseLabels parses a gzipped idx1 label file. name is used only in error
// messages. It checks the magic number, that the header count matches the
// data exactly and that every label is 0–9.
func ParseLabels(name string, gz []byte) ([]uint8, error) {
	data, err := gunzip(name, gz, maxLabelsSize)
	if err != nil {
		return nil, err
	}
	if len(data) < labelHeader {
		return nil, errf(name, "truncated header: %d bytes, want %d", len(data), labelHeader)
	}
	be := binary.BigEndian
	if m := be.Uint32(data); m != labelMagic {
		return nil, errf(name, "bad magic 0x%08x, want 0x%08x (idx1 labels)", m, labelMagic)
	}
	n := be.Uint32(data[4:])
	have, want := uint64(len(data)-labelHeader), uint64(n)
	switch {
	case have < want:
		return nil, errf(name, "header claims %d labels but only %d bytes present", n, have)
	case have > want:
		return nil, errf(name, "%d trailing bytes after %d labels", have-want, n)
	}
	labels := data[labelHeader:]
	for i, l := range labels {
		if l >= Classes {
			return nil, errf(name, "label %d at index %d, want 0–%d", l, i, Classes-1)
		}
	}
	return labels, nil
}

// Load reads the four MNIST files from dir (see [ResolveDir]). It first
// checks each file's SHA-256 against the canonical value, then parses and
// cross-checks them: 60000 train and 10000 test examples, as many labels
// as images.
func Load(dir string) (*MNIST, error) { return load(dir, true) }

// load is Load with the checksum check optional, so that tests can feed
// synthetic files through the same path.
func load(dir string, verify bool) (*MNIST, error) {
	var raw [len(Files)][]byte
	for i, f := range Files {
		path := filepath.Join(dir, f)
		b, err := readCapped(path)
		if err != nil {
			return nil, err
		}
		if verify {
			if err := checkSHA256(path, b, sha256sums[f]); err != nil {
				return nil, err
			}
		}
		raw[i] = b
	}
	train, err := parseSet(filepath.Join(dir, TrainImagesFile), raw[0], filepath.Join(dir, TrainLabelsFile), raw[1], TrainN)
	if err != nil {
		return nil, err
	}
	test, err := parseSet(filepath.Join(dir, TestImagesFile), raw[2], filepath.Join(dir, TestLabelsFile), raw[3], TestN)
	if err != nil {
		return nil, err
	}
	return &MNIST{Train: train, Test: test, Dir: dir}, nil
}

// parseSet parses one split and checks that it holds want examples with
// one label per image.
func parseSet(imgPath string, imgGz []byte, lblPath string, lblGz []byte, want int) (*Set, error) {
	img, err := ParseImages(imgPath, imgGz)
	if err != nil {
		return nil, err
	}
	lbl, err := ParseLabels(lblPath, lblGz)
	if err != nil {
		return nil, err
	}
	if img.N != len(lbl) {
		return nil, errf(imgPath, "%d images but %s has %d labels", img.N, lblPath, len(lbl))
	}
	if img.N != want {
		return nil, errf(imgPath, "%d images, want %d", img.N, want)
	}
	return &Set{Images: img.Pix, Labels: lbl}, nil
}

// readCapped reads a whole file, refusing files larger than maxCompressed.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileErr(path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCompressed+1))
	if err != nil {
		return nil, fileErr(path, err)
	}
	if len(b) > maxCompressed {
		return nil, errf(path, "file exceeds %d bytes", maxCompressed)
	}
	return b, nil
}

// fileErr wraps an os error so that the path appears once.
func fileErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("mnist %s: %s: %w", path, pe.Op, pe.Err)
	}
	return fmt.Errorf("mnist %s: %w", path, err)
}

func checkSHA256(path string, b []byte, want string) error {
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return errf(path, "SHA-256 mismatch: expected %s, got %s", want, got)
	}
	return nil
}
