package statelog

/*
#include <stdint.h>
#include <stdlib.h>
#include "statelog/c.h"
*/
import "C"

import (
	"encoding/json"
	"math"
	"unsafe"
)

// AppendResult tells where an append went.
type AppendResult struct {
	// Offset of the (first) event. An event already in the log keeps its original offset.
	Offset uint64
	// Appended counts the events that were new (a retry of an event in the log appends nothing).
	Appended uint64
}

// AppendOption adds an expectation to an append.
type AppendOption func(*appendOptions)

type appendOptions struct{ expectedLength int64 }

// ExpectLength makes the append fail with ErrConflict, writing nothing, unless the log holds
// exactly n events before the first new one (optimistic concurrency).
func ExpectLength(n uint64) AppendOption {
	return func(o *appendOptions) { o.expectedLength = int64(n) }
}

func expectation(opts []AppendOption) C.int64_t {
	o := appendOptions{expectedLength: C.STATELOG_NONE}
	for _, opt := range opts {
		opt(&o)
	}
	return C.int64_t(o.expectedLength)
}

// Append checks one event (canonical JSON) and appends it.
func (s *Store) Append(event []byte, opts ...AppendOption) (AppendResult, error) {
	return s.append(event, false, opts)
}

// AppendBatch checks the events of jsonl (one per line, the format Read returns) against the
// state each leaves, and appends all of them or none. An error about one event starts
// "line N: ".
func (s *Store) AppendBatch(jsonl []byte, opts ...AppendOption) (AppendResult, error) {
	return s.append(jsonl, true, opts)
}

func (s *Store) append(input []byte, batch bool, opts []AppendOption) (AppendResult, error) {
	var r AppendResult
	err := s.use(func(db *C.statelog_t) error {
		p, n := bytesArg(input)
		var offset, appended C.uint64_t
		var msg *C.char
		var code C.int
		if batch {
			code = C.statelog_append_batch(db, p, n, expectation(opts), &offset, &appended, &msg)
		} else {
			code = C.statelog_append(db, p, n, expectation(opts), &offset, &appended, &msg)
		}
		r = AppendResult{Offset: uint64(offset), Appended: uint64(appended)}
		return toError(code, msg)
	})
	return r, err
}

// Head is the log's length and the hash-chain value of its last event ("0x" + 64 hex digits).
type Head struct {
	Length uint64
	Chain  string
}

// Head returns the log's head.
func (s *Store) Head() (Head, error) {
	var h Head
	err := s.use(func(db *C.statelog_t) error {
		var length C.uint64_t
		var chain [C.STATELOG_HASH_HEX_SIZE]C.char
		var msg *C.char
		code := C.statelog_head(db, &length, &chain[0], &msg)
		h = Head{Length: uint64(length), Chain: C.GoString(&chain[0])}
		return toError(code, msg)
	})
	return h, err
}

// ToEnd as Read's end reads to the end of the log.
const ToEnd = math.MaxUint64

// Read returns the events at offsets [begin, end) as canonical JSON lines, each ending in '\n'.
// ErrOutOfRange when end is past the log or begin > end.
func (s *Store) Read(begin, end uint64) ([]byte, error) {
	var out []byte
	err := s.use(func(db *C.statelog_t) error {
		var buf, msg *C.char
		var n C.size_t
		code := C.statelog_read(db, C.uint64_t(begin), C.uint64_t(end), &buf, &n, &msg)
		if code == C.STATELOG_OK {
			out = C.GoBytes(unsafe.Pointer(buf), C.int(n))
			C.statelog_free(unsafe.Pointer(buf))
		}
		return toError(code, msg)
	})
	return out, err
}

// ReadOption selects the state a read returns.
type ReadOption func(*int64)

// AsOf reads the state after the event at offset (time travel).
func AsOf(offset uint64) ReadOption { return func(o *int64) { *o = int64(offset) } }

// Channel returns a channel's state ("0x" + 64 hex digits) as JSON. ErrNotFound when the
// channel has no event (as of the offset).
func (s *Store) Channel(id string, opts ...ReadOption) ([]byte, error) {
	return s.entity(id, opts, false)
}

// Objective returns an objective's state (e.g. "DirectFunding-0x...") as JSON.
func (s *Store) Objective(id string, opts ...ReadOption) ([]byte, error) {
	return s.entity(id, opts, true)
}

func (s *Store) entity(id string, opts []ReadOption, objective bool) ([]byte, error) {
	asOf := int64(C.STATELOG_NONE)
	for _, opt := range opts {
		opt(&asOf)
	}
	var out []byte
	err := s.use(func(db *C.statelog_t) error {
		cid := C.CString(id)
		defer C.free(unsafe.Pointer(cid))
		var buf, msg *C.char
		var code C.int
		if objective {
			code = C.statelog_objective(db, cid, C.int64_t(asOf), &buf, &msg)
		} else {
			code = C.statelog_channel(db, cid, C.int64_t(asOf), &buf, &msg)
		}
		if code == C.STATELOG_OK {
			out = []byte(C.GoString(buf))
			C.statelog_free(unsafe.Pointer(buf))
		}
		return toError(code, msg)
	})
	return out, err
}

// Identity is the node a log belongs to and the rules it is checked under
// (docs/architecture/nitro-rules.md): Rules "nitro-2" with the node's 0x address, or
// "statelog-1" with Node empty for a log that names no node.
type Identity struct {
	Rules string
	Node  string
}

// Identity returns the log's node and rule set.
func (s *Store) Identity() (Identity, error) {
	var id Identity
	err := s.use(func(db *C.statelog_t) error {
		var buf, msg *C.char
		code := C.statelog_identity(db, &buf, &msg)
		if code != C.STATELOG_OK {
			return toError(code, msg)
		}
		defer C.statelog_free(unsafe.Pointer(buf))
		var raw struct {
			Rules string  `json:"rules"`
			Node  *string `json:"node"`
		}
		if err := json.Unmarshal([]byte(C.GoString(buf)), &raw); err != nil {
			return err
		}
		id.Rules = raw.Rules
		if raw.Node != nil {
			id.Node = *raw.Node
		}
		return nil
	})
	return id, err
}

// Checkpoint signs a checkpoint of the log as it is now with the node's secp256k1 key (keyHex:
// 0x and 64 hex digits, used for this call only) under origin ("" for the latest kept one's, else
// "statelog/<node address>"), keeps it, and returns the signed note (docs/tlog-format.md).
// ErrFailedPrecondition when the key is not the log's node's or the checkpoint would not extend
// the latest kept one.
func (s *Store) Checkpoint(keyHex, origin string) (string, error) {
	var note string
	err := s.use(func(db *C.statelog_t) error {
		ckey := C.CString(keyHex)
		defer C.free(unsafe.Pointer(ckey))
		var corigin *C.char
		if origin != "" {
			corigin = C.CString(origin)
			defer C.free(unsafe.Pointer(corigin))
		}
		var buf, msg *C.char
		code := C.statelog_checkpoint(db, ckey, corigin, &buf, &msg)
		if code == C.STATELOG_OK {
			note = C.GoString(buf)
			C.statelog_free(unsafe.Pointer(buf))
		}
		return toError(code, msg)
	})
	return note, err
}

// LatestCheckpoint returns the latest kept checkpoint's signed note; ErrNotFound when none is
// kept.
func (s *Store) LatestCheckpoint() (string, error) {
	var note string
	err := s.use(func(db *C.statelog_t) error {
		var buf, msg *C.char
		code := C.statelog_latest_checkpoint(db, &buf, &msg)
		if code == C.STATELOG_OK {
			note = C.GoString(buf)
			C.statelog_free(unsafe.Pointer(buf))
		}
		return toError(code, msg)
	})
	return note, err
}

// VerifyReport is what Verify checked.
type VerifyReport struct {
	Events, Signatures, Snapshots uint64
	Head                          Head
	// FirstBadOffset is the first offset that fails, or -1.
	FirstBadOffset int64
}

// Verify checks the whole log: ids, hash chain, signatures, legality, snapshots. The error is
// the first failure.
func (s *Store) Verify() (VerifyReport, error) {
	var r VerifyReport
	err := s.use(func(db *C.statelog_t) error {
		var rep C.statelog_verify_report
		var msg *C.char
		code := C.statelog_verify(db, &rep, &msg)
		r = VerifyReport{
			Events: uint64(rep.events), Signatures: uint64(rep.signatures),
			Snapshots:      uint64(rep.snapshots),
			Head:           Head{Length: uint64(rep.length), Chain: C.GoString(&rep.chain_hex[0])},
			FirstBadOffset: int64(rep.first_bad_offset),
		}
		return toError(code, msg)
	})
	return r, err
}
