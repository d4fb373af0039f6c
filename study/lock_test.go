package study

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"obd/datasets"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := tryLock(path)
	if err != nil || l == nil {
		t.Fatalf("free lock: %v, %v", l, err)
	}
	if l2, err := tryLock(path); l2 != nil || err != nil {
		t.Fatalf("held lock taken again: %v, %v", l2, err)
	}
	l.release()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("released lock file still there")
	}
	host, _ := os.Hostname()
	// Held by a process of this host that is gone (killed): stale.
	os.WriteFile(path, []byte(fmt.Sprintf("%s %d\n", host, 1<<22+12345)), 0o644)
	if l, err := tryLock(path); l == nil || err != nil {
		t.Fatalf("lock of a dead process not taken: %v, %v", l, err)
	} else {
		l.release()
	}
	// Held by another host and not touched for long: stale.
	os.WriteFile(path, []byte("elsewhere 1\n"), 0o644)
	if l, _ := tryLock(path); l != nil {
		t.Fatal("fresh lock of another host taken")
	}
	past := time.Now().Add(-2 * lockStale)
	os.Chtimes(path, past, past)
	if l, err := tryLock(path); l == nil || err != nil {
		t.Fatalf("stale lock not taken: %v, %v", l, err)
	} else {
		l.release()
	}
}

// randomMNIST is a small random stand-in for MNIST.
func randomMNIST(n int) *datasets.MNIST {
	rng := rand.New(rand.NewPCG(3, 4))
	set := func(n int) *datasets.Set {
		s := &datasets.Set{Images: make([]uint8, n*datasets.Pixels), Labels: make([]uint8, n)}
		for i := range s.Images {
			s.Images[i] = uint8(rng.IntN(256))
		}
		for i := range s.Labels {
			s.Labels[i] = uint8(i % 10)
		}
		return s
	}
	return &datasets.MNIST{Train: set(n), Test: set(n / 2)}
}

// Processes (here goroutines) that need the same uncached dense net train
// it once: the others wait for the cache and read it.
func TestDenseTrainedOnce(t *testing.T) {
	def, err := Parse("t.yaml", strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	env := Env{MNIST: randomMNIST(1000), Out: t.TempDir(), Workers: 1}
	var wg sync.WaitGroup
	dense := make([]*Dense, 3)
	errs := make([]error, 3)
	for i := range dense {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dense[i], errs[i] = TrainDense(context.Background(), def, env, 1)
		}()
	}
	wg.Wait()
	trained := 0
	for i, dn := range dense {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !dn.Cached {
			trained++
		}
		for k := range dn.Theta {
			if dn.Theta[k] != dense[0].Theta[k] {
				t.Fatalf("caller %d got different parameters", i)
			}
		}
	}
	if trained != 1 {
		t.Errorf("the dense net was trained %d times, want once", trained)
	}
	locks, _ := filepath.Glob(filepath.Join(env.Out, ".cache", "dense", "*.lock"))
	if len(locks) != 0 {
		t.Errorf("lock files left: %v", locks)
	}
}
