// gen writes random go-nitro SignedStates as Go's encoding/json writes them, one per line,
// followed by a tab and the hex of every byte field in the order AppData, then for each exit
// its AssetMetadata.Metadata and each allocation's Metadata (encoding/hex, comma-separated):
// what statelog must read (tests/nitro/go_json_test.cc) and write back byte for byte.
//
// The types mirror go-nitro's (state.State, outcome.Exit, state.SignedState): byte fields are
// []byte without a JSON method (base64), addresses and hashes marshal as 0x + lowercase hex,
// amounts are *big.Int (bare numbers of any size), signatures 0x + 130 hex digits, Sigs a map
// keyed by participant index. Empty byte fields follow go-nitro's states: AppData and the asset
// metadata are empty slices (""), an allocation's metadata a nil one (null).
//
//	go run gen.go [COUNT] [SEED]
//	go run gen.go roundtrip   < lines   decodes each line into these types with Go's
//	                                     encoding/json and writes it back (a go-nitro reader)
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"strings"
)

type Bytes []byte

// fromHex decodes "0x" + exactly 2*len(out) hex digits into out, as go-ethereum's types do.
func fromHex(text []byte, out []byte) error {
	s := string(text)
	if !strings.HasPrefix(s, "0x") || len(s) != 2+2*len(out) {
		return fmt.Errorf("want 0x and %d hex digits, got %q", 2*len(out), s)
	}
	_, err := hex.Decode(out, []byte(s[2:]))
	return err
}

type Address [20]byte

func (a Address) MarshalText() ([]byte, error)     { return []byte("0x" + hex.EncodeToString(a[:])), nil }
func (a *Address) UnmarshalText(text []byte) error { return fromHex(text, a[:]) }

type Destination [32]byte

func (d Destination) MarshalText() ([]byte, error) {
	return []byte("0x" + hex.EncodeToString(d[:])), nil
}
func (d *Destination) UnmarshalText(text []byte) error { return fromHex(text, d[:]) }

type Signature [65]byte

func (s Signature) MarshalJSON() ([]byte, error) {
	return json.Marshal("0x" + hex.EncodeToString(s[:]))
}
func (s *Signature) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	return fromHex([]byte(text), s[:])
}

type AssetMetadata struct {
	AssetType uint8
	Metadata  Bytes
}

type Allocation struct {
	Destination    Destination
	Amount         *big.Int
	AllocationType uint8
	Metadata       Bytes
}

type SingleAssetExit struct {
	Asset         Address
	AssetMetadata AssetMetadata
	Allocations   []Allocation
}

type State struct {
	Participants      []Address
	ChannelNonce      uint64
	AppDefinition     Address
	ChallengeDuration uint32
	AppData           Bytes
	Outcome           []SingleAssetExit
	TurnNum           uint64
	IsFinal           bool
}

type SignedState struct {
	State State
	Sigs  map[uint]Signature
}

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

func main() {
	if len(os.Args) > 1 && os.Args[1] == "roundtrip" {
		roundtrip()
		return
	}
	count, seed := 200, int64(1)
	if len(os.Args) > 1 {
		count, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		seed, _ = strconv.ParseInt(os.Args[2], 10, 64)
	}
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
