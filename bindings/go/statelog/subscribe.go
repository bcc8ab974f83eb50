package statelog

/*
#include <stdint.h>
#include "statelog/c.h"

// callback.go: the Go function behind every Go subscription.
extern int goStatelogEvent(uintptr_t arg, uint64_t offset, char* json, size_t n);

// The C callback: hands the event to the Go subscriber registered under handle `arg`.
static int statelog_go_event(void* arg, uint64_t offset, const char* json, size_t len) {
  return goStatelogEvent((uintptr_t)arg, offset, (char*)json, len);
}

static int statelog_go_subscribe(statelog_t* db, uint64_t from, uintptr_t handle,
                                 statelog_subscription_t** sub, char** err) {
  return statelog_subscribe(db, from, statelog_go_event, (void*)handle, sub, err);
}
*/
import "C"

import (
	"context"
	"runtime/cgo"
	"sync"
)

// Event is one event of the log: its offset and its canonical JSON.
type Event struct {
	Offset uint64
	JSON   []byte
}

type subscriber struct {
	fn      func(Event) error
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
// Subscribe blocks until ctx is done (it returns ctx.Err()) or fn returns an error (it returns
// that error); then the subscription is stopped and fn is not running and will not run again.
// The Store may be closed meanwhile: the subscription keeps the log open until it ends.
func (s *Store) Subscribe(ctx context.Context, from uint64, fn func(Event) error) error {
	sub := &subscriber{fn: fn, stopped: make(chan struct{})}
	handle := cgo.NewHandle(sub)
	defer handle.Delete()
	var csub *C.statelog_subscription_t
	err := s.use(func(db *C.statelog_t) error {
		var msg *C.char
		code := C.statelog_go_subscribe(db, C.uint64_t(from), C.uintptr_t(handle), &csub, &msg)
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
