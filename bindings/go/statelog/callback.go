package statelog

// #include <stdint.h>
// #include <stddef.h>
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

// goStatelogEvent is the C API's event callback for Go subscribers (subscribe.go): a non-zero
// result stops the subscription.
//
//export goStatelogEvent
func goStatelogEvent(arg C.uintptr_t, offset C.uint64_t, json *C.char, n C.size_t) C.int {
	sub := cgo.Handle(arg).Value().(*subscriber)
	event := Event{Offset: uint64(offset), JSON: C.GoBytes(unsafe.Pointer(json), C.int(n))}
	if err := sub.fn(event); err != nil {
		sub.stop(err)
		return 1
	}
	return 0
}

// goStatelogState is the C API's state callback for Go subscribers: it tells OnState's function,
// and a stop on an error ends Subscribe with that error.
//
//export goStatelogState
func goStatelogState(arg C.uintptr_t, state C.int, since C.int64_t, code C.int, message *C.char) {
	sub := cgo.Handle(arg).Value().(*subscriber)
	st := State{Kind: StateKind(state)}
	if since != 0 {
		st.Since = time.UnixMicro(int64(since))
	}
	if code != 0 {
		st.Err = &Error{Code: Code(code), Message: C.GoString(message)}
	}
	if sub.onState != nil {
		sub.onState(st)
	}
	if st.Kind == Stopped {
		sub.stop(st.Err)
	}
}
