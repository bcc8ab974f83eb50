// Internal: a minimal Solidity ABI encoder (abi.encode, not abi.encodePacked) for the Nitro types.
//
// A value of a dynamic type (bytes, T[], a tuple with a dynamic member) is encoded in the
// enclosing tuple as a 32-byte offset in the head, counted from the start of that tuple's head,
// and its own encoding in the tail. Static values sit in the head as 32-byte words.
#ifndef STATELOG_SRC_NITRO_ABI_H_
#define STATELOG_SRC_NITRO_ABI_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/state.h"
#include "statelog/uint256.h"

namespace statelog::nitro::abi {

using Word = std::array<uint8_t, 32>;

Word UintWord(uint64_t v);
Word Uint256Word(const Uint256& v);
Word AddressWord(const Address& a);  // left-padded with 12 zero bytes
Word Bytes32Word(const Bytes32& b);
Word BoolWord(bool b);

// Builds the encoding of a tuple (also the argument list of abi.encode) member by member.
// Not thread-safe.
class TupleEncoder {
 public:
  // Adds a static member of one word.
  void AddStatic(const Word& w);
  // Adds a dynamic member whose complete encoding is `encoded`.
  void AddDynamic(Bytes encoded);
  // Returns head ++ tail. The encoder is left empty.
  Bytes Finish();

 private:
  struct Member {
    Word word;
    int dynamic_index = -1;  // index into dynamic_, or -1 for a static word
  };
  std::vector<Member> members_;
  std::vector<Bytes> dynamic_;
};

// Returns the encoding of `bytes`: its length word, then the data right-padded to 32 bytes.
Bytes EncodeBytes(std::span<const uint8_t> data);
// Returns the encoding of a T[] with static T: the length word, then the elements' words.
Bytes EncodeStaticArray(const std::vector<Word>& elements);
// Returns the encoding of a T[] with dynamic T: the length word, then the elements encoded as a
// tuple (offsets counted from just after the length word).
Bytes EncodeDynamicArray(std::vector<Bytes> encoded_elements);

// Returns the encoding of an Exit value (the array, without any enclosing offset).
Bytes EncodeExitArray(const Exit& exit);

}  // namespace statelog::nitro::abi

#endif  // STATELOG_SRC_NITRO_ABI_H_
