package main

// gen writes random go-nitro SignedStates as Go's encoding/json writes them, one per line,
// followed by a tab and the hex of every byte field in the order AppData, then for each exit
// its AssetMetadata.Metadata and each allocation's Metadata (encoding/hex, comma-separated):
// what statelog must read (tests/nitro/go_json_test.cc) and write back byte for byte. Empty
// byte fields follow go-nitro's states: AppData and the asset metadata are empty slices (""),
// an allocation's metadata a nil one (null).
//
// roundtrip decodes each line of stdin into these types and writes it back (a go-nitro reader).

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"strings"
)

func randBytes(r *rand.Rand, max int) []byte {
	b := make([]byte, r.Intn(max+1))
	r.Read(b)
	return b
}

// roundtrip decodes each line of stdin as a SignedState and writes it back.
func roundtrip() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; in.Scan(); n++ {
		var s SignedState
		dec := json.NewDecoder(strings.NewReader(in.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			fmt.Fprintf(os.Stderr, "line %d: %v\n", n, err)
			os.Exit(1)
		}
		out, err := json.Marshal(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "line %d: %v\n", n, err)
			os.Exit(1)
		}
		fmt.Printf("%s\n", out)
	}
}

func gen(count int, seed int64) {
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < count; i++ {
		var s SignedState
		s.State.Participants = make([]Address, r.Intn(4))
		for j := range s.State.Participants {
			r.Read(s.State.Participants[j][:])
		}
		s.State.ChannelNonce = r.Uint64()
		r.Read(s.State.AppDefinition[:])
		s.State.ChallengeDuration = r.Uint32()
		s.State.AppData = randBytes(r, 40)
		fields := []string{hex.EncodeToString(s.State.AppData)}
		s.State.Outcome = make([]SingleAssetExit, r.Intn(3))
		for j := range s.State.Outcome {
			e := &s.State.Outcome[j]
			r.Read(e.Asset[:])
			e.AssetMetadata.AssetType = uint8(r.Intn(2))
			e.AssetMetadata.Metadata = randBytes(r, 3)
			fields = append(fields, hex.EncodeToString(e.AssetMetadata.Metadata))
			e.Allocations = make([]Allocation, r.Intn(4))
			for k := range e.Allocations {
				a := &e.Allocations[k]
				r.Read(a.Destination[:])
				a.Amount = new(big.Int).Rand(r, new(big.Int).Lsh(big.NewInt(1), uint(r.Intn(257))))
				a.AllocationType = uint8(r.Intn(2))
				if r.Intn(2) == 0 { // a guarantee's 64 bytes of metadata, or none (nil)
					a.Metadata = make([]byte, 64)
					r.Read(a.Metadata)
				}
				fields = append(fields, hex.EncodeToString(a.Metadata))
			}
		}
		s.State.TurnNum = r.Uint64()
		s.State.IsFinal = r.Intn(2) == 0
		s.Sigs = map[uint]Signature{}
		for j := range s.State.Participants {
			if r.Intn(2) == 0 {
				var sig Signature
				r.Read(sig[:])
				s.Sigs[uint(j)] = sig
			}
		}
		out, err := json.Marshal(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%s\n", out, strings.Join(fields, ","))
	}
}
