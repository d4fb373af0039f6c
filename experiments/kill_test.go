package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"obd/backend"
)

// TestKillAndResume kills the command with SIGKILL at several points of a
// -quick run and reruns it each time; the final points.csv must equal the
// golden file of an uninterrupted run, byte for byte.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command several times")
	}
	if backend.Name() != "gonum" {
		t.Skipf("golden files are for the gonum backend, not %s", backend.Name())
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "experiments")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	args := []string{"-quick", "-out", out, "paper-fig2"}
	for _, after := range []time.Duration{1500 * time.Millisecond, 3 * time.Second, 5 * time.Second} {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill() // SIGKILL: no chance to clean up
		cmd.Wait()
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, b)
	}
	got, err := os.ReadFile(filepath.Join(out, "paper-fig2-quick", "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "paper-fig2-quick.points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("points.csv after kills and a rerun differs from an uninterrupted run's")
	}
}
