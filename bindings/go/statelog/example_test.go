package statelog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"statelog/bindings/go/statelog"
)

// A Go node keeps its channel history in statelog: every event its protocol engine produces or
// receives is appended (checked: signatures, legality), an indexer follows the log with a
// subscription, and the node reads a channel's state back, now or as of an earlier offset.
func Example() {
	dir, _ := os.MkdirTemp("", "node")
	defer os.RemoveAll(dir)
	store, err := statelog.OpenRocksDB(filepath.Join(dir, "history"), true)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	// The indexer: follows the log from the start until the node shuts down.
	ctx, shutdown := context.WithCancel(context.Background())
	indexed := make(chan uint64, 64)
	done := make(chan error)
	go func() {
		done <- store.Subscribe(ctx, 0, func(e statelog.Event) error {
			indexed <- e.Offset
			return nil
		})
	}()

	// The engine's events (here: the first 20 of a recorded run), appended as one batch that
	// must go right after what the node last saw of the log.
	data, _ := os.ReadFile("../../../tests/fixtures/format1/rocksdb-export.jsonl")
	events := bytes.Join(bytes.SplitAfter(data, []byte("\n"))[:20], nil)
	result, err := store.AppendBatch(events, statelog.ExpectLength(0))
	if err != nil {
		panic(err)
	}
	fmt.Printf("appended %d events at offset %d\n", result.Appended, result.Offset)
	for offset := range indexed {
		if offset == 19 {
			break
		}
	}
	shutdown()
	fmt.Println("indexer:", <-done)

	channel := "0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47"
	for _, opts := range [][]statelog.ReadOption{nil, {statelog.AsOf(9)}} {
		state, err := store.Channel(channel, opts...)
		if err != nil {
			panic(err)
		}
		var s struct {
			EventCount uint64 `json:"event_count"`
		}
		if err := json.Unmarshal(state, &s); err != nil {
			panic(err)
		}
		fmt.Println("channel events:", s.EventCount)
	}
	report, err := store.Verify()
	fmt.Println("verify:", report.Events, "events", err)
	// Output:
	// appended 20 events at offset 0
	// indexer: context canceled
	// channel events: 4
	// channel events: 2
	// verify: 20 events <nil>
}
