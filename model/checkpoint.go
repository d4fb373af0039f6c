package model

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

const checkpointMagic = "OBD-PARAMS-1\n"

// WriteParams writes theta for net: a magic line, the net's name and
// parameter count, then the parameters as little-endian float64.
func WriteParams(w io.Writer, net *Net, theta []float64) error {
	if len(theta) != net.NumParams() {
		return fmt.Errorf("write params: %d values for %s's %d parameters", len(theta), net.Name, net.NumParams())
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s%s %d\n", checkpointMagic, net.Name, len(theta))
	var b [8]byte
	for _, v := range theta {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		bw.Write(b[:])
	}
	return bw.Flush()
}

// ReadParams reads parameters written by WriteParams for net, checking the
// name, the count and that nothing is missing or left over.
func ReadParams(r io.Reader, net *Net) ([]float64, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != checkpointMagic {
		return nil, fmt.Errorf("not a parameter file (bad magic)")
	}
	var name string
	var n int
	if _, err := fmt.Fscanf(br, "%s %d\n", &name, &n); err != nil {
		return nil, fmt.Errorf("bad header: %w", err)
	}
	if name != net.Name || n != net.NumParams() {
		return nil, fmt.Errorf("file holds %s with %d parameters, want %s with %d", name, n, net.Name, net.NumParams())
	}
	theta := make([]float64, n)
	var b [8]byte
	for i := range theta {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("truncated after %d of %d parameters", i, n)
		}
		theta[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("trailing bytes after %d parameters", n)
	}
	return theta, nil
}
