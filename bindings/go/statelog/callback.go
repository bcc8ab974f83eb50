package statelog

// #include <stdint.h>
// #include <stddef.h>
import "C"

import (
	"runtime/cgo"
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
