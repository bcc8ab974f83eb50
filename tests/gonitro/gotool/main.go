// gotool: go-nitro's data as Go itself writes it, for statelog's tests. Built with Debian's Go in
// GOPATH mode (no module downloads) against /usr/share/gocode:
//
//	gotool gen [COUNT] [SEED]        random SignedStates (gen.go)
//	gotool roundtrip < lines         decodes and re-encodes SignedStates (gen.go)
//	gotool store DIR [EXPECTED] < spec
//	                                 writes a go-nitro node store through buntdb (store.go)
package main

import (
	"fmt"
	"os"
	"strconv"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gotool: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: gotool gen|roundtrip|store ...")
	}
	switch os.Args[1] {
	case "gen":
		count, seed := 200, int64(1)
		if len(os.Args) > 2 {
			count, _ = strconv.Atoi(os.Args[2])
		}
		if len(os.Args) > 3 {
			seed, _ = strconv.ParseInt(os.Args[3], 10, 64)
		}
		gen(count, seed)
	case "roundtrip":
		roundtrip()
	case "store":
		if len(os.Args) < 3 {
			fail("usage: gotool store DIR [EXPECTED] < spec")
		}
		expected := ""
		if len(os.Args) > 3 {
			expected = os.Args[3]
		}
		store(os.Args[2], expected)
	default:
		fail("unknown mode %q", os.Args[1])
	}
}
