package main

// store writes a go-nitro node's durable store as go-nitro does: each record decoded into
// go-nitro's types (unknown fields refused), encoded with Go's encoding/json, and set in the
// node's buntdb files (docs/go-nitro-store.md), one transaction per command. The records come
// from gonitro_fixture_spec (tests/gonitro/fixture_spec.cc), which signs them.
//
// With EXPECTED, it also writes EXPECTED/<channel id>.jsonl for each live channel of the
// channels file: its SignedStates in turn order, as Go encodes them (what
// `statelog show channel ID --go-nitro` must print).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tidwall/buntdb"
)

type Funds map[Address]*big.Int

type FixedPart struct {
	Participants      []Address
	ChannelNonce      uint64
	AppDefinition     Address
	ChallengeDuration uint32
}

type OnChainData struct {
	Holdings  Funds
	Outcome   []SingleAssetExit
	StateHash Destination
}

type OffChainData struct {
	SignedStateForTurnNum       map[uint64]SignedState
	LatestSupportedStateTurnNum uint64
}

type Channel struct {
	Id      Destination
	MyIndex uint
	FixedPart
	OnChain  OnChainData
	OffChain OffChainData
}

type Balance struct {
	Destination Destination
	Amount      *big.Int
}

type Guarantee struct {
	Amount *big.Int
	Target Destination
	Left   Destination
	Right  Destination
}

type LedgerOutcome struct {
	AssetAddress Address
	Leader       Balance
	Follower     Balance
	Guarantees   map[Destination]Guarantee
}

type Vars struct {
	TurnNum uint64
	Outcome LedgerOutcome
}

type SignedVars struct {
	Vars
	Signatures [2]Signature
}

type Add struct {
	Guarantee   Guarantee
	LeftDeposit *big.Int
}

type Remove struct {
	Target     Destination
	LeftAmount *big.Int
}

type Proposal struct {
	LedgerID Destination
	ToAdd    Add
	ToRemove Remove
}

type SignedProposal struct {
	Signature Signature
	Proposal  Proposal
	TurnNum   uint64
}

type ConsensusChannel struct {
	Id             Destination
	OnChainFunding Funds
	MyIndex        uint
	FP             FixedPart
	Current        SignedVars
	ProposalQueue  []SignedProposal
}

type Voucher struct {
	ChannelId Destination
	Amount    *big.Int
	Signature Signature
}

type VoucherInfo struct {
	ChannelPayer    Address
	ChannelPayee    Address
	StartingBalance *big.Int
	LargestVoucher  Voucher
}

type DirectFundObjective struct {
	Status                   int
	C                        Destination
	MyDepositSafetyThreshold Funds
	MyDepositTarget          Funds
	FullyFundedThreshold     Funds
	TransactionSumbmitted    bool
}

type DirectDefundObjective struct {
	Status                int
	C                     Destination
	FinalTurnNum          uint64
	TransactionSumbmitted bool
}

type VirtualFundObjective struct {
	Status    int
	V         Destination
	ToMyLeft  []byte
	ToMyRight []byte
	N         uint
	MyRole    uint
	A0        Funds
	B0        Funds
}

type VirtualDefundObjective struct {
	Status               int
	V                    Destination
	ToMyLeft             Destination
	ToMyRight            Destination
	MinimumPaymentAmount *big.Int
	MyRole               uint
}

type record struct {
	Node  string
	File  string
	Key   string
	Value json.RawMessage
	Del   bool
}

// typed returns the go-nitro type a value of `file` under `key` decodes into.
func typed(file, key string) interface{} {
	switch file {
	case "channels":
		return &Channel{}
	case "consensus_channels":
		return &ConsensusChannel{}
	case "vouchers":
		return &VoucherInfo{}
	case "objectives":
		switch strings.SplitN(key, "-", 2)[0] {
		case "DirectFunding":
			return &DirectFundObjective{}
		case "DirectDefunding":
			return &DirectDefundObjective{}
		case "VirtualFund":
			return &VirtualFundObjective{}
		case "VirtualDefund":
			return &VirtualDefundObjective{}
		}
	}
	return nil // channel_to_objective, blocks: a plain string
}

func encode(file, key string, raw json.RawMessage) string {
	v := typed(file, key)
	if v == nil {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			fail("%s %s: %v", file, key, err)
		}
		return s
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail("%s %s: %v", file, key, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		fail("%s %s: %v", file, key, err)
	}
	return string(out)
}

func store(dir, expected string) {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	if !in.Scan() {
		fail("empty spec")
	}
	var head record
	if err := json.Unmarshal(in.Bytes(), &head); err != nil || head.Node == "" {
		fail("the first line must be {\"node\":...}")
	}
	nodeDir := filepath.Join(dir, head.Node)
	if err := os.MkdirAll(nodeDir, 0o755); err != nil {
		fail("%v", err)
	}
	dbs := map[string]*buntdb.DB{}
	for _, name := range []string{"objectives", "channels", "consensus_channels",
		"channel_to_objective", "vouchers", "blocks"} {
		db, err := buntdb.Open(filepath.Join(nodeDir, name+"_"+head.Node[2:7]+".db"))
		if err != nil {
			fail("%v", err)
		}
		var config buntdb.Config
		if err := db.ReadConfig(&config); err != nil {
			fail("%v", err)
		}
		config.SyncPolicy = buntdb.Never // go-nitro's setting
		config.AutoShrinkDisabled = true // keep every command: the reader replays them
		if err := db.SetConfig(config); err != nil {
			fail("%v", err)
		}
		dbs[name] = db
	}
	channels := map[string]*Channel{}
	for in.Scan() {
		var r record
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fail("%v", err)
		}
		db := dbs[r.File]
		if db == nil {
			fail("unknown file %q", r.File)
		}
		err := db.Update(func(tx *buntdb.Tx) error {
			if r.Del {
				_, err := tx.Delete(r.Key)
				return err
			}
			_, _, err := tx.Set(r.Key, encode(r.File, r.Key, r.Value), nil)
			return err
		})
		if err != nil {
			fail("%s %s: %v", r.File, r.Key, err)
		}
		if r.File == "channels" {
			if r.Del {
				delete(channels, r.Key)
			} else {
				var c Channel
				if err := json.Unmarshal(r.Value, &c); err != nil {
					fail("%v", err)
				}
				channels[r.Key] = &c
			}
		}
	}
	if err := in.Err(); err != nil {
		fail("%v", err)
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			fail("%v", err)
		}
	}
	if expected == "" {
		return
	}
	if err := os.MkdirAll(expected, 0o755); err != nil {
		fail("%v", err)
	}
	for id, c := range channels {
		var turns []uint64
		for t := range c.OffChain.SignedStateForTurnNum {
			turns = append(turns, t)
		}
		sort.Slice(turns, func(i, j int) bool { return turns[i] < turns[j] })
		var out bytes.Buffer
		for _, t := range turns {
			line, err := json.Marshal(c.OffChain.SignedStateForTurnNum[t])
			if err != nil {
				fail("%v", err)
			}
			out.Write(line)
			out.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(expected, id+".jsonl"), out.Bytes(), 0o644); err != nil {
			fail("%v", err)
		}
	}
}
