// Package statelog is the Go binding of statelog, the event-sourced store of Nitro state-channel
// histories, over its C API (statelog/c.h, linked through pkg-config module "statelog").
//
// A Store is a log of Nitro events, each a canonical JSON object. Appends are checked (Nitro
// proofs and the legality of the history) before anything is written; reads return canonical
// JSON; Subscribe delivers the log, history first, to a function until its context ends.
//
// Errors are *Error values carrying statelog's code; compare them with errors.Is against the
// Err* values, e.g. errors.Is(err, statelog.ErrConflict) after an append whose expected length
// did not hold.
//
// A Store may be used from any number of goroutines at once. Close waits for the calls in
// progress; a call on a closed Store returns ErrClosed.
package statelog

/*
#cgo pkg-config: statelog
#include <stdlib.h>
#include "statelog/c.h"
*/
import "C"

import (
	"sync"
	"unsafe"
)

// Store is an open statelog store with its checked Ledger.
type Store struct {
	mu sync.RWMutex // held shared by every call, exclusively by Close
	db *C.statelog_t
}

// OpenOption configures Open.
type OpenOption func(*openOptions)

type openOptions struct {
	node  string
	flags C.int
}

// Node names the node the log belongs to (its 0x address): a new log is created for it, under
// go-nitro's rules, and an existing log must be that node's (ErrFailedPrecondition otherwise).
func Node(address string) OpenOption { return func(o *openOptions) { o.node = address } }

// NoSync: a RocksDB append returns once it survives a process crash, not a power loss.
func NoSync() OpenOption { return func(o *openOptions) { o.flags |= C.STATELOG_OPEN_NO_SYNC } }

// ReadOnly: appends fail with ErrNotSupported; a RocksDB store is opened read-only.
func ReadOnly() OpenOption { return func(o *openOptions) { o.flags |= C.STATELOG_OPEN_READ_ONLY } }

// MustExist: a missing store is ErrNotFound instead of being created.
func MustExist() OpenOption {
	return func(o *openOptions) { o.flags |= C.STATELOG_OPEN_MUST_EXIST }
}

// Open opens the store name names, creating it when missing: "memory:" (a new in-memory log),
// "postgresql://..." (a shared PostgreSQL log), "postgresql:" followed by a libpq key=value
// string, or a RocksDB directory ("rocksdb:DIR" or DIR).
func Open(name string, opts ...OpenOption) (*Store, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var cnode *C.char
	if o.node != "" {
		cnode = C.CString(o.node)
		defer C.free(unsafe.Pointer(cnode))
	}
	var db *C.statelog_t
	var err *C.char
	code := C.statelog_open(&db, cname, cnode, o.flags, &err)
	return newStore(code, db, err)
}

// OpenMemory returns an empty in-memory store.
func OpenMemory() (*Store, error) {
	var db *C.statelog_t
	var err *C.char
	code := C.statelog_open_memory(&db, &err)
	return newStore(code, db, err)
}

// OpenRocksDB opens, or creates, the RocksDB store in directory dir. With sync, an append
// returns only once it survives a power loss; without, once it survives a process crash.
func OpenRocksDB(dir string, sync bool) (*Store, error) {
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	csync := C.int(0)
	if sync {
		csync = 1
	}
	var db *C.statelog_t
	var err *C.char
	code := C.statelog_open_rocksdb(&db, cdir, csync, &err)
	return newStore(code, db, err)
}

// OpenPostgres opens the shared PostgreSQL log at libpq connection string conninfo, in schema
// (one schema is one log; "" means "statelog"), creating it when missing.
func OpenPostgres(conninfo, schema string) (*Store, error) {
	cinfo := C.CString(conninfo)
	defer C.free(unsafe.Pointer(cinfo))
	var cschema *C.char
	if schema != "" {
		cschema = C.CString(schema)
		defer C.free(unsafe.Pointer(cschema))
	}
	var db *C.statelog_t
	var err *C.char
	code := C.statelog_open_postgres(&db, cinfo, cschema, &err)
	return newStore(code, db, err)
}

func newStore(code C.int, db *C.statelog_t, err *C.char) (*Store, error) {
	if e := toError(code, err); e != nil {
		return nil, e
	}
	return &Store{db: db}, nil
}

// Close closes the store, after the calls in progress. Subscriptions still running keep the
// underlying store open until they end. Closing twice is allowed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	C.statelog_close(s.db)
	s.db = nil
	return nil
}

// use runs f with the open handle, or returns ErrClosed.
func (s *Store) use(f func(db *C.statelog_t) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return ErrClosed
	}
	return f(s.db)
}

// noBytes is what bytesArg passes for an empty slice: the C API takes no NULL input.
var noBytes [1]byte

// bytesArg returns a C view of b for the duration of a call (never NULL).
func bytesArg(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return (*C.char)(unsafe.Pointer(&noBytes[0])), 0
	}
	return (*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// toError turns a C result into nil or an *Error, freeing the C message.
func toError(code C.int, msg *C.char) error {
	if code == C.STATELOG_OK {
		return nil
	}
	text := "statelog: error code " + Code(code).String()
	if msg != nil {
		text = C.GoString(msg)
		C.statelog_free(unsafe.Pointer(msg))
	}
	return &Error{Code: Code(code), Message: text}
}

// Version returns the version of the statelog library linked in, e.g. "0.2.0".
func Version() string { return C.GoString(C.statelog_version()) }
