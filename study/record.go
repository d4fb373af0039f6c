package study

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"obd/internal/atomicfile"
	"obd/model"
	"obd/report"
)

// errNoRecord says that nothing is stored yet: compute it.
var errNoRecord = errors.New("no record")

// RecordError says that a stored record (a unit's points or a cached
// dense net) cannot be trusted: it is cut short, edited, or was computed
// for another key or seed. A run reports it and recomputes the record;
// -merge, which computes nothing, refuses it.
type RecordError struct {
	Path   string // the file that failed
	Reason string
}

func (e *RecordError) Error() string { return e.Path + ": " + e.Reason }

func checksum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// unitRecord is the sidecar (NAME.json) of a finished unit's points
// (NAME.csv): what they were computed for and a checksum of the CSV bytes.
type unitRecord struct {
	Format       int     `json:"format"`
	Key          string  `json:"key"`
	Method       string  `json:"method"`
	Scope        string  `json:"scope"`
	Seed         uint64  `json:"seed"`
	Backend      string  `json:"backend"`
	Seconds      float64 `json:"seconds"`
	PointsSHA256 string  `json:"points_sha256"`
}

// writeUnitRecord writes a unit's points and then its sidecar, each
// atomically; the sidecar, written last, is what makes the record count.
// It returns the points as the record holds them (ten significant digits),
// which is what any later read gives.
func writeUnitRecord(csvPath, jsonPath string, rec unitRecord, pts []report.Point) ([]report.Point, error) {
	var b bytes.Buffer
	if err := report.WriteCSV(&b, pts); err != nil {
		return nil, err
	}
	stored, err := report.ReadCSV(csvPath, bytes.NewReader(b.Bytes()))
	if err != nil {
		return nil, err
	}
	rec.Format, rec.PointsSHA256 = unitFormat, checksum(b.Bytes())
	meta, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(csvPath), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(csvPath, b.Bytes()); err != nil {
		return nil, err
	}
	return stored, atomicfile.Write(jsonPath, append(meta, '\n'))
}

// readUnitRecord reads what writeUnitRecord wrote for the unit want
// describes (its Key, Method, Scope and Seed). It returns errNoRecord when
// there is no sidecar, and a *RecordError when the sidecar or the points
// do not belong to that unit or do not match their checksum; other errors
// are I/O errors.
func readUnitRecord(csvPath, jsonPath string, want unitRecord) (unitRecord, []report.Point, error) {
	var rec unitRecord
	meta, err := os.ReadFile(jsonPath)
	if errors.Is(err, os.ErrNotExist) {
		return rec, nil, errNoRecord
	} else if err != nil {
		return rec, nil, err
	}
	bad := func(path, format string, args ...any) (unitRecord, []report.Point, error) {
		return unitRecord{}, nil, &RecordError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(meta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return bad(jsonPath, "unreadable record: %v", err)
	}
	switch {
	case rec.Format != unitFormat:
		return bad(jsonPath, "record format %d, want %d", rec.Format, unitFormat)
	case rec.Key != want.Key || rec.Method != want.Method || rec.Scope != want.Scope || rec.Seed != want.Seed:
		return bad(jsonPath, "record of %s/%s seed %d (key %s), want %s/%s seed %d (key %s)",
			rec.Method, rec.Scope, rec.Seed, rec.Key, want.Method, want.Scope, want.Seed, want.Key)
	case !(rec.Seconds >= 0) || math.IsInf(rec.Seconds, 0):
		return bad(jsonPath, "seconds %v: want a time ≥ 0", rec.Seconds)
	}
	b, err := os.ReadFile(csvPath)
	if errors.Is(err, os.ErrNotExist) {
		return bad(csvPath, "missing, though its record %s exists", jsonPath)
	} else if err != nil {
		return rec, nil, err
	}
	if sum := checksum(b); sum != rec.PointsSHA256 {
		return bad(csvPath, "SHA-256 %s, but its record says %s: the points were changed or cut short", sum, rec.PointsSHA256)
	}
	pts, err := report.ReadPoints(csvPath, bytes.NewReader(b))
	if err != nil {
		return bad(csvPath, "%v", err)
	}
	for i, p := range pts {
		if p.Method != want.Method || p.Scope != want.Scope || p.Seed != want.Seed {
			return bad(csvPath, "row %d is %s/%s seed %d", i+2, p.Method, p.Scope, p.Seed)
		}
	}
	if len(pts) == 0 {
		return bad(csvPath, "no points")
	}
	return rec, pts, nil
}

// denseRecord is the sidecar (PATH.json) of a cached dense net
// (PATH.params): the key it was trained for, a checksum of the parameter
// file, and how long the training took.
type denseRecord struct {
	Key          string  `json:"key"`
	Seconds      float64 `json:"seconds"`
	Epochs       int     `json:"epochs"`
	ParamsSHA256 string  `json:"params_sha256"`
}

// writeDenseCache writes a trained dense net to the cache: its parameters,
// then the sidecar that vouches for them.
func writeDenseCache(path string, net *model.Net, theta []float64, rec denseRecord) error {
	var b bytes.Buffer
	if err := model.WriteParams(&b, net, theta); err != nil {
		return err
	}
	rec.ParamsSHA256 = checksum(b.Bytes())
	meta, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path+".params", b.Bytes()); err != nil {
		return err
	}
	return atomicfile.Write(path+".json", append(meta, '\n'))
}

// readDenseCache reads a cached dense net trained for key. It returns
// errNoRecord when there is none, a *RecordError when the sidecar names
// another key or the parameters do not match its checksum (a flipped bit,
// another seed's net copied over this one), and other errors for I/O.
func readDenseCache(path, key string, net *model.Net) ([]float64, denseRecord, error) {
	var rec denseRecord
	meta, err := os.ReadFile(path + ".json")
	if errors.Is(err, os.ErrNotExist) {
		return nil, rec, errNoRecord
	} else if err != nil {
		return nil, rec, err
	}
	bad := func(p, format string, args ...any) ([]float64, denseRecord, error) {
		return nil, denseRecord{}, &RecordError{Path: p, Reason: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(meta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return bad(path+".json", "unreadable record: %v", err)
	}
	switch {
	case rec.Key != key:
		return bad(path+".json", "dense net of key %s, want %s", rec.Key, key)
	case !(rec.Seconds >= 0) || math.IsInf(rec.Seconds, 0):
		return bad(path+".json", "seconds %v: want a time ≥ 0", rec.Seconds)
	case rec.Epochs < 1:
		return bad(path+".json", "epochs %d: want at least 1 (the epochs the net was trained)", rec.Epochs)
	}
	b, err := os.ReadFile(path + ".params")
	if errors.Is(err, os.ErrNotExist) {
		return bad(path+".params", "missing, though its record exists")
	} else if err != nil {
		return nil, rec, err
	}
	if sum := checksum(b); sum != rec.ParamsSHA256 {
		return bad(path+".params", "SHA-256 %s, but its record says %s", sum, rec.ParamsSHA256)
	}
	theta, err := model.ReadParams(bytes.NewReader(b), net)
	if err != nil {
		return bad(path+".params", "%v", err)
	}
	return theta, rec, nil
}
