// Reading a buntdb file (the key-value files of a go-nitro node's store) without buntdb: the file
// is an append-only sequence of Redis RESP commands (docs/go-nitro-store.md, "buntdb files").
//
//   *3\r\n$3\r\nset\r\n$<n>\r\n<key>\r\n$<m>\r\n<value>\r\n     set
//   *2\r\n$3\r\ndel\r\n$<n>\r\n<key>\r\n                         delete
//   *1\r\n$7\r\nflushdb\r\n                                       delete every key
//
// Replaying the commands in order gives the live keys. A file that ends inside a command (a torn
// last write: go-nitro never fsyncs) is read up to its last whole command and says so; any other
// malformed byte is an error naming the file and the byte offset.
#ifndef STATELOG_GONITRO_BUNTDB_H_
#define STATELOG_GONITRO_BUNTDB_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "statelog/status.h"

namespace statelog::gonitro {

struct BuntdbContents {
  std::map<std::string, std::string> values;  // the live keys after every whole command
  uint64_t commands = 0;                      // whole commands replayed
  uint64_t whole_bytes = 0;                   // bytes of those commands, from offset 0
  bool torn_tail = false;                     // bytes after them: an incomplete last command
};

// Replays the commands in `bytes`. `name` names the file in errors, which are InvalidArgument:
// "NAME: byte OFFSET: what is wrong". A set with an expiry (`ex`), which go-nitro never writes,
// is refused rather than guessed at.
StatusOr<BuntdbContents> ReadBuntdb(std::string_view bytes, std::string_view name);

// Returns the bytes of the file at `path`: IOError when it cannot be read, InvalidArgument for a
// directory.
StatusOr<std::string> ReadFileBytes(const std::string& path);

// Reads the file at `path` and replays it (IOError when it cannot be read).
StatusOr<BuntdbContents> ReadBuntdbFile(const std::string& path);

}  // namespace statelog::gonitro

#endif  // STATELOG_GONITRO_BUNTDB_H_
