package statelog

// #include "statelog/c.h"
import "C"

import "errors"

// Code is a statelog error code (statelog/c.h, statelog_code).
type Code int

// The codes, as in statelog/c.h.
const (
	OK                 Code = C.STATELOG_OK
	NotFound           Code = C.STATELOG_NOT_FOUND
	Corruption         Code = C.STATELOG_CORRUPTION
	InvalidArgument    Code = C.STATELOG_INVALID_ARGUMENT
	IOError            Code = C.STATELOG_IO_ERROR
	OutOfRange         Code = C.STATELOG_OUT_OF_RANGE
	FailedPrecondition Code = C.STATELOG_FAILED_PRECONDITION
	AlreadyExists      Code = C.STATELOG_ALREADY_EXISTS
	Busy               Code = C.STATELOG_BUSY
	NotSupported       Code = C.STATELOG_NOT_SUPPORTED
	Aborted            Code = C.STATELOG_ABORTED
	Conflict           Code = C.STATELOG_CONFLICT
	NoSpace            Code = C.STATELOG_NO_SPACE
)

// String returns the code's name, e.g. "Conflict".
func (c Code) String() string { return C.GoString(C.statelog_code_name(C.int(c))) }

// Error is an error reported by statelog: its code and a message that names what is wrong and
// where, starting with the code's name (e.g. "Conflict: expected the log to hold 0 records; it
// holds 1").
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is the sentinel of e's code (ErrConflict, ErrNotFound, ...).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is, one per code.
var (
	ErrNotFound           = &Error{Code: NotFound}
	ErrCorruption         = &Error{Code: Corruption}
	ErrInvalidArgument    = &Error{Code: InvalidArgument}
	ErrIOError            = &Error{Code: IOError}
	ErrOutOfRange         = &Error{Code: OutOfRange}
	ErrFailedPrecondition = &Error{Code: FailedPrecondition}
	ErrAlreadyExists      = &Error{Code: AlreadyExists}
	ErrBusy               = &Error{Code: Busy}
	ErrNotSupported       = &Error{Code: NotSupported}
	ErrAborted            = &Error{Code: Aborted}
	// ErrConflict: an append's expected length did not hold; nothing was written.
	ErrConflict = &Error{Code: Conflict}
	// ErrNoSpace: the disk is full or below the store's reserve; nothing was written.
	ErrNoSpace = &Error{Code: NoSpace}
)

// ErrClosed is returned by calls on a closed Store.
var ErrClosed = errors.New("statelog: the store is closed")
