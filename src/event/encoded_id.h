// An event's id hashed from its canonical encoding, for code that holds that encoding already
// (the log core encodes every record it appends): one encoding per event instead of two.
#ifndef STATELOG_EVENT_ENCODED_ID_H_
#define STATELOG_EVENT_ENCODED_ID_H_

#include <optional>
#include <string_view>

#include "statelog/event.h"

namespace statelog::codec_internal {

// keccak256 of the content of the event whose canonical encoding is `encoded`: EncodeEvent writes
// '{', the id member and a comma, then exactly the bytes EncodeEventContent writes after its '{'.
// nullopt when `encoded` does not start with an id member.
// REQUIRES: `encoded` was written by EncodeEvent (other bytes give an id of no meaning).
std::optional<EventId> ContentIdOfEncoding(std::string_view encoded);

}  // namespace statelog::codec_internal

#endif  // STATELOG_EVENT_ENCODED_ID_H_
