// buntdbwriter writes a buntdb file through the real buntdb library (Debian's
// golang-github-tidwall-buntdb-dev), for the tests of statelog's buntdb reader.
//
//	buntdbwriter FILE [shrink] < commands
//
// Each line of stdin is a command, fields separated by tabs: "set\tKEY\tVALUE" or "del\tKEY"
// (each in its own transaction, so each is its own command in the file), with "\n" and "\t" in
// keys and values written as the two characters backslash-n and backslash-t. With "shrink" the
// file is shrunk afterwards, as go-nitro's buntdb configuration does after writes. Then the file
// is reopened with buntdb and every live key is printed, in key order, as a JSON object on
// stdout: what buntdb itself reads back.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/tidwall/buntdb"
)

func unescape(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\r`, "\r").Replace(s)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "buntdbwriter:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: buntdbwriter FILE [shrink] < commands"))
	}
	path := os.Args[1]
	db, err := buntdb.Open(path)
	if err != nil {
		fail(err)
	}
	var config buntdb.Config
	if err := db.ReadConfig(&config); err != nil {
		fail(err)
	}
	config.AutoShrinkDisabled = true
	config.SyncPolicy = buntdb.Always
	if err := db.SetConfig(config); err != nil {
		fail(err)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	for in.Scan() {
		f := strings.Split(in.Text(), "\t")
		err := db.Update(func(tx *buntdb.Tx) error {
			switch {
			case f[0] == "set" && len(f) == 3:
				_, _, err := tx.Set(unescape(f[1]), unescape(f[2]), nil)
				return err
			case f[0] == "del" && len(f) == 2:
				_, err := tx.Delete(unescape(f[1]))
				return err
			}
			return fmt.Errorf("bad command line %q", in.Text())
		})
		if err != nil {
			fail(err)
		}
	}
	if len(os.Args) > 2 && os.Args[2] == "shrink" {
		if err := db.Shrink(); err != nil {
			fail(err)
		}
	}
	if err := db.Close(); err != nil {
		fail(err)
	}
	db, err = buntdb.Open(path)
	if err != nil {
		fail(err)
	}
	live := map[string]string{}
	err = db.View(func(tx *buntdb.Tx) error {
		return tx.Ascend("", func(k, v string) bool { live[k] = v; return true })
	})
	if err != nil {
		fail(err)
	}
	out, _ := json.Marshal(live)
	fmt.Println(string(out))
}
