// The eip191-secp256k1 signature type for sumdb/note (docs/tlog-format.md), written from the
// format's definition with btcec and x/crypto's Keccak: nothing here comes from statelog.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec"
	"golang.org/x/crypto/sha3"
)

var eipType = append([]byte{0xff}, "eip191-secp256k1"...)

func keccak(data ...[]byte) []byte {
	h := sha3.NewLegacyKeccak256()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

// personalDigest is EIP-191 personal_sign's digest of msg.
func personalDigest(msg []byte) []byte {
	return keccak([]byte("\x19Ethereum Signed Message:\n"+strconv.Itoa(len(msg))), msg)
}

func address(pub *btcec.PublicKey) []byte {
	return keccak(pub.SerializeUncompressed()[1:])[12:]
}

func keyID(name string, typeAndKey []byte) uint32 {
	h := sha256.Sum256(append([]byte(name+"\n"), typeAndKey...))
	return binary.BigEndian.Uint32(h[:4])
}

type eipVerifier struct {
	name string
	id   uint32
	addr []byte
}

func (v *eipVerifier) Name() string    { return v.name }
func (v *eipVerifier) KeyHash() uint32 { return v.id }

var halfOrder = new(big.Int).Rsh(btcec.S256().N, 1)

func (v *eipVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 65 || (sig[64] != 27 && sig[64] != 28) {
		return false
	}
	if new(big.Int).SetBytes(sig[32:64]).Cmp(halfOrder) > 0 {
		return false // high S
	}
	// btcec's compact form puts the recovery byte first.
	compact := append([]byte{sig[64]}, sig[:64]...)
	pub, _, err := btcec.RecoverCompact(btcec.S256(), compact, personalDigest(msg))
	return err == nil && bytes.Equal(address(pub), v.addr)
}

// parseEipVkey reads "<name>+<key ID>+base64(0xff || "eip191-secp256k1" || address)".
func parseEipVkey(vkey string) (*eipVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("vkey %q: not name+id+key", vkey)
	}
	blob, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || !bytes.HasPrefix(blob, eipType) || len(blob) != len(eipType)+20 {
		return nil, fmt.Errorf("vkey %q: not an eip191-secp256k1 key", vkey)
	}
	id, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || len(parts[1]) != 8 || uint32(id) != keyID(parts[0], blob) {
		return nil, fmt.Errorf("vkey %q: key ID does not match", vkey)
	}
	return &eipVerifier{name: parts[0], id: uint32(id), addr: blob[len(eipType):]}, nil
}

type eipSigner struct {
	eipVerifier
	key *btcec.PrivateKey
}

func newEipSigner(name string, key *btcec.PrivateKey) *eipSigner {
	addr := address(key.PubKey())
	return &eipSigner{eipVerifier{name, keyID(name, append(append([]byte{}, eipType...), addr...)), addr}, key}
}

func (s *eipSigner) Sign(msg []byte) ([]byte, error) {
	compact, err := btcec.SignCompact(btcec.S256(), s.key, personalDigest(msg), false)
	if err != nil {
		return nil, err
	}
	return append(compact[1:], compact[0]), nil // r || s || v
}

func (s *eipSigner) vkey() string {
	return fmt.Sprintf("%s+%08x+%s", s.name, s.id,
		base64.StdEncoding.EncodeToString(append(append([]byte{}, eipType...), s.addr...)))
}
