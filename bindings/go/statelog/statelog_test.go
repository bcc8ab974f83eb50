package statelog

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

const (
	channelID   = "0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47"
	objectiveID = "DirectFunding-" + channelID
)

// fixture returns the first n events of a `statelog demo` export, one JSON line each.
func fixture(t testing.TB, n int) [][]byte {
	data, err := os.ReadFile("../../../tests/fixtures/format1/rocksdb-export.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	return lines[:n]
}

func openMemory(t *testing.T) *Store {
	s, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAppendReadHeadVerify(t *testing.T) {
	s := openMemory(t)
	events := fixture(t, 20)
	r, err := s.Append(events[0], ExpectLength(0))
	if err != nil || r != (AppendResult{Offset: 0, Appended: 1}) {
		t.Fatalf("Append: %+v, %v", r, err)
	}
	all := bytes.Join(events, nil)
	r, err = s.AppendBatch(all) // the first is a retry: not appended again
	if err != nil || r != (AppendResult{Offset: 0, Appended: 19}) {
		t.Fatalf("AppendBatch: %+v, %v", r, err)
	}
	got, err := s.Read(0, ToEnd)
	if err != nil || !bytes.Equal(got, all) {
		t.Fatalf("Read: %v\n%s", err, got)
	}
	head, err := s.Head()
	if err != nil || head.Length != 20 || len(head.Chain) != 66 {
		t.Fatalf("Head: %+v, %v", head, err)
	}
	report, err := s.Verify()
	if err != nil || report.Events != 20 || report.Head != head || report.FirstBadOffset != -1 {
		t.Fatalf("Verify: %+v, %v", report, err)
	}
	_, err = s.Read(3, 21)
	if !errors.Is(err, ErrOutOfRange) ||
		err.Error() != "OutOfRange: statelog_read: range [3, 21) is not within the log's 20 events" {
		t.Fatalf("Read past the end: %v", err)
	}
}

// Every code of statelog/c.h has its name here, and the one after the last is unknown.
func TestCodeNames(t *testing.T) {
	if NoSpace.String() != "NoSpace" || Conflict.String() != "Conflict" {
		t.Fatalf("names: %q %q", NoSpace.String(), Conflict.String())
	}
	if (NoSpace + 1).String() != "Unknown" {
		t.Fatalf("the code after NoSpace is %q", (NoSpace + 1).String())
	}
	if errors.Is(&Error{Code: NoSpace, Message: "NoSpace: full"}, ErrConflict) ||
		!errors.Is(&Error{Code: NoSpace, Message: "NoSpace: full"}, ErrNoSpace) {
		t.Fatal("ErrNoSpace is not its own sentinel")
	}
}

func TestConflictIsDistinct(t *testing.T) {
	s := openMemory(t)
	events := fixture(t, 2)
	_, err := s.Append(events[0], ExpectLength(1))
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("want a conflict, got %v", err)
	}
	if err.Error() != "Conflict: expected the log to hold 1 records; it holds 0" {
		t.Fatalf("message: %q", err.Error())
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != Conflict || e.Code.String() != "Conflict" {
		t.Fatalf("errors.As: %#v", err)
	}
	// Illegal history is a different error: objective_progressed before objective_created.
	if _, err := s.Append(fixture(t, 3)[2]); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("want FailedPrecondition, got %v", err)
	}
}

func TestBadInput(t *testing.T) {
	s := openMemory(t)
	for _, in := range [][]byte{nil, []byte("{"), []byte("{\"id\":\"\xff\"}")} {
		if _, err := s.Append(in); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Append(%q): want InvalidArgument, got %v", in, err)
		}
	}
	if _, err := s.AppendBatch([]byte("\n")); err == nil ||
		err.Error() != "InvalidArgument: statelog_append_batch: no event in jsonl" {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := s.Channel("0x12"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad channel id: %v", err)
	}
}

func TestStatesAsOf(t *testing.T) {
	s := openMemory(t)
	if _, err := s.AppendBatch(bytes.Join(fixture(t, 20), nil)); err != nil {
		t.Fatal(err)
	}
	channel, err := s.Channel(channelID)
	if err != nil || !strings.HasPrefix(string(channel), `{"id":"`+channelID+`"`) {
		t.Fatalf("Channel: %v %s", err, channel)
	}
	objective, err := s.Objective(objectiveID, AsOf(2))
	if err != nil || !strings.Contains(string(objective), `"waiting_for":"CompletePrefund"`) {
		t.Fatalf("Objective: %v %s", err, objective)
	}
	if _, err := s.Channel(channelID, AsOf(0)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("as of 0: %v", err)
	}
}

func TestSubscribe(t *testing.T) {
	s := openMemory(t)
	events := fixture(t, 20)
	if _, err := s.AppendBatch(bytes.Join(events[:10], nil)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []Event
	err := s.Subscribe(ctx, 5, func(e Event) error {
		got = append(got, e)
		if e.Offset == 9 { // history delivered: append the rest, then wait for it live
			go func() {
				if _, err := s.AppendBatch(bytes.Join(events[10:], nil)); err != nil {
					t.Error(err)
				}
			}()
		}
		if e.Offset == 19 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(got) != 15 || got[0].Offset != 5 {
		t.Fatalf("Subscribe: %v, %d events", err, len(got))
	}
	if !bytes.Equal(append(got[14].JSON, '\n'), events[19]) {
		t.Fatalf("event 19: %s", got[14].JSON)
	}

	// fn's error stops the subscription and is returned.
	stop := errors.New("enough")
	n := 0
	err = s.Subscribe(context.Background(), 0, func(Event) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("Subscribe stopped by fn: %v after %d", err, n)
	}
}

// OnState hears of the subscription's stop, with the error the C API reports; what Subscribe
// returns stays fn's own error. (The outage states need a database that goes away:
// tests/postgres/outage_test.py runs them through the C API.)
func TestSubscribeOnState(t *testing.T) {
	s := openMemory(t)
	if _, err := s.AppendBatch(bytes.Join(fixture(t, 5), nil)); err != nil {
		t.Fatal(err)
	}
	var states []State
	stop := errors.New("enough")
	err := s.Subscribe(context.Background(), 0, func(e Event) error {
		if e.Offset == 2 {
			return stop
		}
		return nil
	}, ReconnectTimeout(-1), OnState(func(st State) { states = append(states, st) }))
	if err != stop {
		t.Fatalf("Subscribe: %v", err)
	}
	if len(states) != 1 || states[0].Kind != Stopped || !errors.Is(states[0].Err, ErrAborted) ||
		!strings.Contains(states[0].Err.Error(), "callback threw at offset 2") {
		t.Fatalf("states: %+v", states)
	}
}

func TestClosedAndRocksDB(t *testing.T) {
	dir := t.TempDir() + "/store"
	s, err := OpenRocksDB(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(fixture(t, 1)[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRocksDB(dir, true); !errors.Is(err, ErrBusy) {
		t.Fatalf("second open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Head(); err != ErrClosed {
		t.Fatalf("Head after Close: %v", err)
	}
	s, err = OpenRocksDB(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if head, err := s.Head(); err != nil || head.Length != 1 {
		t.Fatalf("reopened: %+v, %v", head, err)
	}
	if Version() != "0.2.0" {
		t.Fatalf("Version: %s", Version())
	}
}

// Open by name: a node's log is created for it (its first event names the node) and refused to
// another node, naming both; options; the identity of a log without a node.
func TestOpenByNameWithNode(t *testing.T) {
	const irene = "0x111a00868581f73ab42feef67d235ca09ca1e8db"
	const alice = "0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce"
	dir := t.TempDir() + "/node"
	if _, err := Open(dir, MustExist()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MustExist on a missing store: %v", err)
	}
	s, err := Open("rocksdb:"+dir, Node(irene), NoSync())
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Identity()
	if err != nil || id != (Identity{Rules: "nitro-2", Node: irene}) {
		t.Fatalf("Identity: %+v, %v", id, err)
	}
	if head, err := s.Head(); err != nil || head.Length != 1 {
		t.Fatalf("Head of a new node's log: %+v, %v", head, err)
	}
	// Checkpoints with the node's key (Irene's); Alice's key is refused.
	if _, err := s.LatestCheckpoint(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LatestCheckpoint before any: %v", err)
	}
	const aliceKey = "0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d"
	if _, err := s.Checkpoint(aliceKey, ""); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("a checkpoint with another key: %v", err)
	}
	const ireneKey = "0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781"
	note, err := s.Checkpoint(ireneKey, "")
	if err != nil || !strings.HasPrefix(note, "statelog/"+irene+"\n1\n") {
		t.Fatalf("Checkpoint: %q, %v", note, err)
	}
	if latest, err := s.LatestCheckpoint(); err != nil || latest != note {
		t.Fatalf("LatestCheckpoint: %q, %v", latest, err)
	}
	s.Close()
	_, err = Open(dir, Node(alice))
	want := "FailedPrecondition: the log belongs to node " + irene + ", not to " + alice
	if !errors.Is(err, ErrFailedPrecondition) || err.Error() != want {
		t.Fatalf("another node's open: %v, want %q", err, want)
	}
	r, err := Open(dir, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Append(fixture(t, 1)[0]); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("append to a read-only store: %v", err)
	}
	m, err := Open("memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if id, err := m.Identity(); err != nil || id != (Identity{Rules: "statelog-1"}) {
		t.Fatalf("Identity of a log without a node: %+v, %v", id, err)
	}
}
