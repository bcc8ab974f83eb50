package statelog

/*
#include <stdint.h>
#include "statelog/c.h"

// callback.go: the Go function behind every Go subscription.
extern int goStatelogEvent(uintptr_t arg, uint64_t offset, char* json, size_t n);

extern void goStatelogState(uintptr_t arg, int state, int64_t since, int code, char* message);

// The C callbacks: hand the event, or the state, to the Go subscriber registered under handle
// `arg`.
static int statelog_go_event(void* arg, uint64_t offset, const char* json, size_t len) {
  return goStatelogEvent((uintptr_t)arg, offset, (char*)json, len);
}
static void statelog_go_state(void* arg, int state, int64_t since, int code,
                              const char* message) {
  goStatelogState((uintptr_t)arg, state, since, code, (char*)message);
}

static int statelog_go_subscribe(statelog_t* db, uint64_t from, uintptr_t handle,
                                 int64_t reconnect_timeout_ms, statelog_subscription_t** sub,
                                 char** err) {
  return statelog_subscribe_with_state(db, from, statelog_go_event, statelog_go_state,
                                       (void*)handle, reconnect_timeout_ms, sub, err);
}
*/
import "C"

import (
	"context"
	"runtime/cgo"
	"sync"
	"time"
)

// Event is one event of the log: its offset and its canonical JSON.
type Event struct {
	Offset uint64
	JSON   []byte
}

// State is a change of a subscription's state, given to the function of OnState.
type State struct {
	// Unreachable: a read failed because the database cannot be reached (PostgreSQL down,
	// restarting or failing over); the subscription keeps reconnecting. Reachable: it answers
	// again, and delivery goes on with no gap and no duplicate. Stopped: the subscription stopped
	// on Err, which Subscribe returns.
	Kind StateKind
	// Unreachable, Reachable: when the outage began.
	Since time.Time
	// Unreachable: the failed read; Stopped: why it stopped; nil for Reachable.
	Err error
}

// StateKind names a State.
type StateKind int

// The kinds of State.
const (
	Unreachable StateKind = C.STATELOG_UNREACHABLE
	Reachable   StateKind = C.STATELOG_REACHABLE
	Stopped     StateKind = C.STATELOG_STOPPED
)

// SubscribeOption changes what Subscribe does while the database cannot be reached.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	reconnectTimeout time.Duration // < 0: without end
	onState          func(State)
}

// ReconnectTimeout is how long the subscription keeps reconnecting to an unreachable database
// before it stops with the last error (Subscribe returns it): 60 s by default; 0 stops at the
// first failed read; a negative d reconnects without end.
func ReconnectTimeout(d time.Duration) SubscribeOption {
	return func(o *subscribeOptions) { o.reconnectTimeout = d }
}

// OnState has fn told, on the subscription's delivery thread (never concurrently with the event
// function), when the database becomes unreachable, when it is back, and when the subscription
// stops on an error.
func OnState(fn func(State)) SubscribeOption {
	return func(o *subscribeOptions) { o.onState = fn }
}

type subscriber struct {
	fn      func(Event) error
	onState func(State)
	once    sync.Once
	err     error
	stopped chan struct{}
}

func (s *subscriber) stop(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.stopped)
	})
}

// Subscribe delivers the events from offset from on to fn: the history first, then every event
// appended later (for PostgreSQL, by any process), in offset order with no gap and no duplicate.
// fn runs on the subscription's own delivery thread, never concurrently with itself; Event.JSON
// is fn's to keep.
//
// Subscribe blocks until ctx is done (it returns ctx.Err()), fn returns an error (it returns
// that error), or the subscription stops on an error of its own, such as a database unreachable
// for longer than the ReconnectTimeout (it returns that *Error); then the subscription is stopped
// and fn is not running and will not run again. The Store may be closed meanwhile: the
// subscription keeps the log open until it ends.
func (s *Store) Subscribe(ctx context.Context, from uint64, fn func(Event) error,
	opts ...SubscribeOption) error {
	o := subscribeOptions{reconnectTimeout: 60 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	timeout := C.int64_t(C.STATELOG_NONE)
	if o.reconnectTimeout >= 0 {
		timeout = C.int64_t(o.reconnectTimeout.Milliseconds())
	}
	sub := &subscriber{fn: fn, onState: o.onState, stopped: make(chan struct{})}
	handle := cgo.NewHandle(sub)
	defer handle.Delete()
	var csub *C.statelog_subscription_t
	err := s.use(func(db *C.statelog_t) error {
		var msg *C.char
		code := C.statelog_go_subscribe(db, C.uint64_t(from), C.uintptr_t(handle), timeout, &csub,
			&msg)
		return toError(code, msg)
	})
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-sub.stopped:
	}
	var msg *C.char
	if err := toError(C.statelog_unsubscribe(csub, &msg), msg); err != nil {
		return err
	}
	sub.stop(nil) // synchronizes with a stop by fn
	if sub.err != nil {
		return sub.err
	}
	return ctx.Err()
}
