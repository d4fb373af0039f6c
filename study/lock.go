package study

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Shards that need the same dense net while it is not yet cached would
// each train it. A lock file next to the cache entry lets one train it and
// the others wait for the cache: its holder touches it every
// lockHeartbeat; a lock not touched for lockStale, or held by a process of
// this host that no longer exists (killed), is taken over.
const (
	lockHeartbeat = 10 * time.Second
	lockStale     = time.Minute
	lockPoll      = time.Second
)

// lock is a held lock file.
type lock struct {
	path string
	stop chan struct{}
	done chan struct{}
}

// tryLock takes the lock at path if it is free or stale. It returns nil,
// nil if another live process holds it.
func tryLock(path string) (*lock, error) {
	host, _ := os.Hostname()
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%s %d\n", host, os.Getpid())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, werr
			}
			l := &lock{path: path, stop: make(chan struct{}), done: make(chan struct{})}
			go l.heartbeat()
			return l, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if !lockIsStale(path, host) {
			return nil, nil
		}
		// Another waiter may remove the same stale lock and take the
		// next one: at worst both train the net, to the same bits.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return nil, nil
}

func lockIsStale(path, host string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false // gone: the next attempt takes it
	}
	if time.Since(fi.ModTime()) > lockStale {
		return true
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	h, p, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	pid, err := strconv.Atoi(p)
	if !ok || err != nil || h != host {
		return false
	}
	return processGone(pid)
}

func (l *lock) heartbeat() {
	defer close(l.done)
	t := time.NewTicker(lockHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-t.C:
			os.Chtimes(l.path, now, now)
		}
	}
}

func (l *lock) release() {
	close(l.stop)
	<-l.done
	os.Remove(l.path)
}

// waitLock sleeps one poll interval, or returns ctx's error.
func waitLock(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(lockPoll):
		return nil
	}
}
