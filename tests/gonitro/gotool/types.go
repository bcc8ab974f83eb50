package main

// go-nitro's types as its store and wire JSON hold them: byte fields are []byte without a JSON
// method (base64), addresses and hashes marshal as 0x + lowercase hex, amounts are *big.Int (bare
// numbers of any size), signatures 0x + 130 hex digits, Sigs a map keyed by participant index.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
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

