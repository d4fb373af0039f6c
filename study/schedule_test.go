package study

import (
	"encoding/json"
	"strings"
	"testing"
)

// The schedule is written as its bare name in the definition's JSON, which
// the hash covers: the Go type must not move any hash. An unknown name is
// an error listing the known ones.
func TestScheduleNames(t *testing.T) {
	for _, s := range schedules {
		d, err := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "schedule: iterative", "schedule: "+string(s), 1)))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		b, _ := json.Marshal(d)
		if want := `"schedule":"` + string(s) + `"`; !strings.Contains(string(b), want) {
			t.Errorf("%s: JSON %s lacks %s", s, b, want)
		}
	}
	err := Schedule("gradual").validate()
	if want := `"gradual": want one of [oneshot iterative oneshot-retrain]`; err == nil || err.Error() != want {
		t.Errorf("unknown schedule: error %v, want %s", err, want)
	}
	for _, c := range []struct {
		s                   Schedule
		retrains, fromDense bool
	}{{OneShot, false, true}, {Iterative, true, false}, {OneShotRetrain, true, true}} {
		if c.s.retrains() != c.retrains || c.s.fromDense() != c.fromDense {
			t.Errorf("%s: retrains %v, fromDense %v; want %v, %v", c.s, c.s.retrains(), c.s.fromDense(), c.retrains, c.fromDense)
		}
	}
}
