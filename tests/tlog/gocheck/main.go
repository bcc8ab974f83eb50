// gocheck checks what tlog_interop_fixture wrote with Go's golang.org/x/mod/sumdb/tlog and
// sumdb/note, then writes notes and proofs of its own for the fixture to read.
//
//	gocheck DIR
//
// Every check has a control: a changed byte must make Go's check fail.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var dir string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gocheck: "+format+"\n", args...)
	os.Exit(1)
}

func read(name string) []byte {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fail("%v", err)
	}
	return data
}

func lines(name string) []string {
	var out []string
	s := bufio.NewScanner(bytes.NewReader(read(name)))
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

func hash(s string) tlog.Hash {
	h, err := tlog.ParseHash(s)
	if err != nil {
		fail("hash %q: %v", s, err)
	}
	return h
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fail("number %q: %v", s, err)
	}
	return n
}

func flipped(p []tlog.Hash) []tlog.Hash {
	q := append([]tlog.Hash{}, p...)
	q[len(q)/2][0] ^= 1
	return q
}

// checkpoint reads a checkpoint's first three lines.
func checkpoint(text string) (origin string, size int64, root tlog.Hash) {
	l := strings.Split(text, "\n")
	if len(l) < 4 {
		fail("checkpoint %q: too few lines", text)
	}
	return l[0], atoi(l[1]), hash(l[2])
}

// proofFile splits a .tlog-proof file or an add-checkpoint body: its header lines, the hashes,
// and the checkpoint after the first blank line.
func proofFile(data []byte, header int) ([]string, []tlog.Hash, []byte) {
	i := bytes.Index(data, []byte("\n\n"))
	if i < 0 {
		fail("proof file without a blank line")
	}
	l := strings.Split(string(data[:i]), "\n")
	var proof []tlog.Hash
	for _, h := range l[header:] {
		proof = append(proof, hash(h))
	}
	return l[:header], proof, data[i+2:]
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: gocheck DIR")
	}
	dir = os.Args[1]
	leaves := lines("leaves.txt")
	raw := read("hashes.bin")
	hashes := make([]tlog.Hash, len(raw)/tlog.HashSize)
	for i := range hashes {
		copy(hashes[i][:], raw[i*tlog.HashSize:])
	}
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(hashes)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	n := int64(len(leaves))
	if tlog.StoredHashCount(n) != int64(len(hashes)) {
		fail("%d leaves need %d stored hashes, hashes.bin has %d", n, tlog.StoredHashCount(n), len(hashes))
	}

	// statelog's stored hashes are Go's, in Go's numbering.
	for i, leaf := range leaves {
		want, err := tlog.StoredHashes(int64(i), []byte(leaf), hr)
		if err != nil {
			fail("StoredHashes(%d): %v", i, err)
		}
		at := tlog.StoredHashIndex(0, int64(i))
		for k, h := range want {
			if hashes[at+int64(k)] != h {
				fail("stored hash %d (leaf %d) differs from Go's", at+int64(k), i)
			}
		}
	}
	roots := map[int64]tlog.Hash{}
	for _, l := range lines("roots.txt") {
		f := strings.Fields(l)
		size, root := atoi(f[0]), hash(f[1])
		th, err := tlog.TreeHash(size, hr)
		if err != nil || th != root {
			fail("TreeHash(%d) = %v, %v; statelog wrote %v", size, th, err, root)
		}
		roots[size] = root
	}

	controls := 0
	for _, l := range lines("inclusion.txt") {
		f := strings.Fields(l)
		m, size := atoi(f[0]), atoi(f[1])
		var proof tlog.RecordProof
		for _, h := range f[2:] {
			proof = append(proof, hash(h))
		}
		leaf := tlog.RecordHash([]byte(leaves[m]))
		if err := tlog.CheckRecord(proof, size, roots[size], m, leaf); err != nil {
			fail("CheckRecord(leaf %d of %d): %v", m, size, err)
		}
		gp, err := tlog.ProveRecord(size, m, hr)
		if err != nil || !equal(gp, proof) {
			fail("ProveRecord(%d, %d) differs from statelog's proof (%v)", size, m, err)
		}
		if len(proof) > 0 {
			if tlog.CheckRecord(flipped(proof), size, roots[size], m, leaf) == nil {
				fail("control: a changed inclusion proof of leaf %d of %d passed", m, size)
			}
			controls++
		}
	}
	for _, l := range lines("consistency.txt") {
		f := strings.Fields(l)
		m, size := atoi(f[0]), atoi(f[1])
		var proof tlog.TreeProof
		for _, h := range f[2:] {
			proof = append(proof, hash(h))
		}
		if err := tlog.CheckTree(proof, size, roots[size], m, roots[m]); err != nil {
			fail("CheckTree(%d to %d): %v", m, size, err)
		}
		gp, err := tlog.ProveTree(size, m, hr)
		if err != nil || !equal(gp, proof) {
			fail("ProveTree(%d, %d) differs from statelog's proof (%v)", size, m, err)
		}
		if len(proof) > 0 {
			if tlog.CheckTree(flipped(proof), size, roots[size], m, roots[m]) == nil {
				fail("control: a changed consistency proof %d to %d passed", m, size)
			}
			controls++
		}
	}

	// Notes: the Ethereum key with our verifier, the Ed25519 key with note's own.
	vkeys := lines("vkeys.txt")
	eip, err := parseEipVkey(vkeys[0])
	if err != nil {
		fail("%v", err)
	}
	ed, err := note.NewVerifier(vkeys[1])
	if err != nil {
		fail("note.NewVerifier(%q): %v", vkeys[1], err)
	}
	both := note.VerifierList(eip, ed)
	cp := read("checkpoint.note")
	opened, err := note.Open(cp, both)
	if err != nil || len(opened.Sigs) != 2 {
		fail("note.Open(checkpoint.note): %v", err)
	}
	if _, err := note.Open(read("checkpoint-eip191.note"), note.VerifierList(eip)); err != nil {
		fail("note.Open(checkpoint-eip191.note) with the eip191 key alone: %v", err)
	}
	var unverified *note.UnverifiedNoteError
	if _, err := note.Open(read("checkpoint-eip191.note"), note.VerifierList(ed)); !errors.As(err, &unverified) {
		fail("control: the Ethereum-only note opened with the Ed25519 key: %v", err)
	}
	tampered := bytes.Replace(cp, []byte("\n1000\n"), []byte("\n1001\n"), 1)
	var invalid *note.InvalidSignatureError
	if _, err := note.Open(tampered, note.VerifierList(eip)); !errors.As(err, &invalid) {
		fail("control: a tampered checkpoint gave %v, not an invalid signature", err)
	}
	origin, size, root := checkpoint(opened.Text)
	if th, _ := tlog.TreeHash(size, hr); th != root || size != n {
		fail("checkpoint of %s: size %d root %v, the tree's is %v", origin, size, root, th)
	}

	// .tlog-proof files, read and checked as a counterparty would.
	files, _ := filepath.Glob(filepath.Join(dir, "leaf-*.tlog-proof"))
	for _, name := range files {
		data, _ := os.ReadFile(name)
		head, proof, cpText := proofFile(data, 3)
		if head[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(head[1], "extra ") {
			fail("%s: header %q", name, head)
		}
		extra, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(head[1], "extra "))
		if err != nil {
			fail("%s: extra: %v", name, err)
		}
		index := atoi(strings.TrimPrefix(head[2], "index "))
		n2, err := note.Open(cpText, note.VerifierList(eip))
		if err != nil {
			fail("%s: checkpoint: %v", name, err)
		}
		_, size, root := checkpoint(n2.Text)
		if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(extra)); err != nil {
			fail("%s: CheckRecord: %v", name, err)
		}
		if tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(append(extra, ' '))) == nil {
			fail("control: %s passed with a changed event", name)
		}
		controls++
	}
	if len(files) == 0 {
		fail("no .tlog-proof files")
	}
	oldNote, err := note.Open(read("old.note"), both)
	if err != nil {
		fail("old.note: %v", err)
	}
	_, oldSize, oldRoot := checkpoint(oldNote.Text)
	head, proof, newCp := proofFile(read("extension.proof"), 1)
	newNote, err := note.Open(newCp, both)
	if err != nil || head[0] != "old "+strconv.FormatInt(oldSize, 10) {
		fail("extension.proof: %q, %v", head, err)
	}
	_, newSize, newRoot := checkpoint(newNote.Text)
	if err := tlog.CheckTree(proof, newSize, newRoot, oldSize, oldRoot); err != nil {
		fail("extension.proof: CheckTree: %v", err)
	}

	writeOwn(opened.Text, hr, n)
	fmt.Printf("gocheck: %d stored hashes, %d tree hashes, %d inclusion and %d consistency proofs, "+
		"%d proof files, notes with eip191-secp256k1 and Ed25519 signatures agree with Go; %d controls failed as they must\n",
		len(hashes), len(roots), len(lines("inclusion.txt")), len(lines("consistency.txt")), len(files), controls)
}

func equal(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// writeOwn signs the checkpoint text with keys Go generates and writes Go's own proofs.
func writeOwn(text string, hr tlog.HashReader, n int64) {
	origin, _, _ := checkpoint(text)
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		fail("GenerateKey: %v", err)
	}
	ed, err := note.NewSigner(skey)
	if err != nil {
		fail("NewSigner: %v", err)
	}
	priv, err := btcec.NewPrivateKey(btcec.S256())
	if err != nil {
		fail("btcec: %v", err)
	}
	eip := newEipSigner(origin, priv)
	msg, err := note.Sign(&note.Note{Text: text}, eip, ed)
	if err != nil {
		fail("note.Sign: %v", err)
	}
	// Go opens what it signed, with our verifier parsing the vkey Go wrote.
	v, err := parseEipVkey(eip.vkey())
	if err != nil {
		fail("%v", err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		fail("note.Open of Go's own eip191 note: %v", err)
	}
	var inc, con strings.Builder
	for size := int64(1); size <= n; size += 41 {
		for m := int64(0); m < size; m += 7 {
			p, err := tlog.ProveRecord(size, m, hr)
			if err != nil {
				fail("ProveRecord: %v", err)
			}
			line(&inc, m, size, p)
			t, err := tlog.ProveTree(size, m+1, hr)
			if err != nil {
				fail("ProveTree: %v", err)
			}
			line(&con, m+1, size, t)
		}
	}
	for name, data := range map[string]string{
		"go.vkeys": eip.vkey() + "\n" + vkey + "\n", "go.note": string(msg),
		"go-inclusion.txt": inc.String(), "go-consistency.txt": con.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			fail("%v", err)
		}
	}
}

func line(b *strings.Builder, m, size int64, p []tlog.Hash) {
	fmt.Fprintf(b, "%d %d", m, size)
	for _, h := range p {
		b.WriteString(" " + h.String())
	}
	b.WriteString("\n")
}
