package study

import "obd/model"

// Recorder receives what Run and TrainDense do, as typed events: study
// never formats a message for a person, and progress bars, progress lines
// and logs are Recorders (experiments/ has them).
//
// Record is called from the goroutine that called Run or TrainDense, one
// event at a time, in the order things happen; the run waits for it to
// return. Events are values: a Recorder may keep them.
type Recorder interface {
	Record(Event)
}

// Event is one of WorkPlanned, WorkSkipped, WorkDone, DenseDone, UnitDone,
// UnitFailed and RecordRefused.
type Event interface{ event() }

// WorkPlanned announces work, in the units of Definition.Work. Run does not
// send it: the caller, who knows every definition it will run, sends one
// per definition before the first Run, so that a progress display knows
// the whole total from the start. Run then accounts for all of a
// definition's Work as WorkSkipped or WorkDone.
type WorkPlanned struct {
	Definition string
	Amount     int
}

// WorkSkipped is planned work that this run will not do: found done (a
// cached dense net, a unit finished on disk) or left to another shard.
type WorkSkipped struct {
	Definition string
	Amount     int
}

// WorkDone is work done: an epoch of dense training, a step of a unit's
// schedule, or the steps of a unit that failed.
type WorkDone struct {
	Definition string
	Amount     int
}

// DenseDone says that the dense net of a seed is trained, or read from the
// cache (Cached), or failed (Err not nil; the seed's units then fail).
type DenseDone struct {
	Definition, Network string
	Seed                uint64
	// Seconds is how long the net took to train (for a cached net, the
	// run that trained it, when its record says).
	Seconds float64
	Cached  bool
	Err     error
}

// UnitDone says that a unit ran through its schedule. Units found
// finished on disk are not run and send no UnitDone, only WorkSkipped.
type UnitDone struct {
	Definition, Method, Scope string
	Seed                      uint64
	Points                    int
	// FractionRemoved and TestError are those of the unit's last point.
	FractionRemoved, TestError float64
	Seconds                    float64
}

// UnitFailed says that a unit failed (its training diverged, or its seed's
// dense net failed); the failure is recorded on disk, and the other units
// go on.
type UnitFailed struct {
	Definition, Method, Scope string
	Seed                      uint64
	Err                       error
}

// RecordRefused says that a stored record (a unit's points, a failure
// record, a cached dense net) failed its verification and is not used: it
// is recomputed.
type RecordRefused struct {
	Definition string
	Err        *RecordError
}

func (WorkPlanned) event()   {}
func (RecordRefused) event() {}
func (WorkSkipped) event()   {}
func (WorkDone) event()      {}
func (DenseDone) event()     {}
func (UnitDone) event()      {}
func (UnitFailed) event()    {}

// Work is the amount of work a run accounts for (WorkSkipped and
// WorkDone), in tenths of a training epoch, roughly: 10 per epoch of dense
// training, and per grid point 10 per retraining epoch plus 3 for scoring
// and measuring (2 without retraining). Work found already done is
// skipped, not done, so that an ETA counts only what remains to compute.
func (d *Definition) Work(quick bool) int {
	s := d.AtScale(quick)
	net, _ := model.ByName(s.Network)
	return len(s.Seeds) * (10*s.Training.Epochs + len(s.Methods)*len(s.Scopes)*len(s.Targets(net))*s.stepWork())
}

// stepWork is the work of one step of a unit's schedule.
func (d *Definition) stepWork() int {
	if !d.Schedule.retrains() {
		return 2
	}
	return 10*d.Retraining.Epochs + 3
}

func (env Env) record(e Event) {
	if env.Recorder != nil {
		env.Recorder.Record(e)
	}
}

// progress returns a function that records n units of d's work as done.
func (env Env) progress(d *Definition) func(n int) {
	return func(n int) { env.record(WorkDone{Definition: d.Name, Amount: n}) }
}

func (env Env) skip(d *Definition, n int) {
	env.record(WorkSkipped{Definition: d.Name, Amount: n})
}
