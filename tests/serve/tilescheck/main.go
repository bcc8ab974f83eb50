// Command tilescheck is a standard tlog-tiles client against `statelog serve`: Go's
// golang.org/x/mod/sumdb/tlog reads the served checkpoint and hash tiles (TileHashReader, which
// checks every tile against the checkpoint's root), computes the tree hash, inclusion proofs of
// the events and consistency proofs itself and checks them, and compares its inclusion proofs
// with those of /api/v1/events/{id}/proof.
//
//	tilescheck URL EVENTS_FILE
//
// EVENTS_FILE holds the log's events as `statelog export` prints them, one per line (the leaves).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

type tileReader struct {
	url     string
	fetched int
}

func (r *tileReader) Height() int { return height }

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return body, nil
}

// C2SP tlog-tiles paths have no height element: Go's "tile/8/L/N" is "tile/L/N".
func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		path := "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		data, err := get(r.url + "/" + path)
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, not %d", path, len(data), t.W*tlog.HashSize)
		}
		out[i] = data
		r.fetched++
	}
	return out, nil
}

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tilescheck: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: tilescheck URL EVENTS_FILE")
	}
	url := os.Args[1]
	f, err := os.Open(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	var events []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		events = append(events, sc.Text())
	}
	checkpoint, err := get(url + "/checkpoint")
	if err != nil {
		fail("%v", err)
	}
	lines := strings.Split(string(checkpoint), "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size > int64(len(events)) || size < 2 {
		fail("checkpoint size %q for %d events", lines[1], len(events))
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint root %q: %v", lines[2], err)
	}
	tr := &tileReader{url: url}
	thr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tr)

	th, err := tlog.TreeHash(size, thr)
	if err != nil || th != root {
		fail("tree hash from the tiles: %v %v, checkpoint root %v", th, err, root)
	}
	indexes := []int64{0, 1, 255, 256, size / 2, size - 1}
	for i := int64(0); i < size; i += 97 {
		indexes = append(indexes, i)
	}
	for _, i := range indexes {
		p, err := tlog.ProveRecord(size, i, thr)
		if err != nil {
			fail("ProveRecord(%d, %d): %v", size, i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, tlog.RecordHash([]byte(events[i]))); err != nil {
			fail("CheckRecord(%d): %v", i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, tlog.RecordHash([]byte(events[i]+" "))); err == nil {
			fail("CheckRecord(%d) accepted a changed event", i)
		}
		// The server's proof of the same event: the same hashes.
		var ev struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(events[i]), &ev); err != nil {
			fail("event %d: %v", i, err)
		}
		served, err := get(url + "/api/v1/events/" + ev.ID + "/proof")
		if err != nil {
			fail("%v", err)
		}
		parts := strings.SplitN(string(served), "\n\n", 2)
		if len(parts) != 2 || parts[1] != string(checkpoint) {
			fail("the proof of event %d is not against the served checkpoint", i)
		}
		head := strings.Split(parts[0], "\n")
		if len(head) < 3 || head[2] != fmt.Sprintf("index %d", i) || len(head)-3 != len(p) {
			fail("the proof of event %d: %q, Go's has %d hashes", i, parts[0], len(p))
		}
		for k, h := range p {
			if head[3+k] != h.String() {
				fail("the proof of event %d, hash %d: served %s, Go's %s", i, k, head[3+k], h)
			}
		}
	}
	olds := []int64{1, 2, 255, 256, 257, size / 2, size - 1, size}
	for _, old := range olds {
		if old > size {
			continue
		}
		oldRoot, err := tlog.TreeHash(old, thr)
		if err != nil {
			fail("TreeHash(%d): %v", old, err)
		}
		p, err := tlog.ProveTree(size, old, thr)
		if err != nil {
			fail("ProveTree(%d, %d): %v", size, old, err)
		}
		if err := tlog.CheckTree(p, size, root, old, oldRoot); err != nil {
			fail("CheckTree(%d, %d): %v", size, old, err)
		}
	}
	fmt.Printf("OK: %d events, tree hash, %d inclusion and %d consistency proofs from %d tiles\n",
		size, len(indexes), len(olds), tr.fetched)
}
