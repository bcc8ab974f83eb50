// The canonical JSON codec for events (docs/adr/0002-event-serialization.md).
//
// Canonical form: one JSON object, no white space, members in the fixed order of the event's
// definition, "id" first, then "type" and "ts", then the body's fields. Byte strings and fixed
// values are "0x" + lowercase hex; uint256 amounts are decimal strings; other integers are JSON
// numbers; text is escaped minimally (\" \\ and \u00XX for control characters). Equal events
// encode to identical bytes on every run and machine.
//
// Decoding accepts any member order and JSON white space, and rejects (InvalidArgument, with the
// field path and the reason): malformed JSON, an unknown type, missing, duplicate or extra fields,
// wrong JSON types, hex of the wrong length or with bad digits, numbers out of range, trailing
// garbage, and an id that does not match the content.
#ifndef STATELOG_CODEC_H_
#define STATELOG_CODEC_H_

#include <memory>
#include <string>
#include <string_view>

#include "statelog/event.h"
#include "statelog/status.h"

namespace statelog {

// Appends the canonical encoding of `event`, id included, to *out.
void EncodeEvent(const Event& event, std::string* out);
std::string EncodeEvent(const Event& event);
// Appends the canonical encoding without the id (the bytes the id hashes) to *out.
void EncodeEventContent(Timestamp timestamp, const EventBody& body, std::string* out);

struct DecodeOptions {
  // Recompute the id from the content and reject a mismatch. Turn off only for bytes this
  // process already verified (e.g. read back from its own store) or for events whose ids are
  // checked later: every append through the log core (statelog/log.h) checks each new record's id,
  // and Ledger::Append that of each event it answers as a retry.
  bool verify_id = true;
  // Accept an event without an "id" member and give it the id its content hashes to, as a
  // client that never computes ids sends them (the C API's appends). An event with an id is
  // checked as verify_id says.
  bool complete_id = false;
};

// Decodes one event. Thread-safe (uses a per-thread parser).
StatusOr<Event> DecodeEvent(std::string_view json, const DecodeOptions& options = {});

// A reusable decoder: the fastest way to decode many events on one thread. Not thread-safe.
class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes `json` into *out. On error *out is unspecified.
  Status Decode(std::string_view json, Event* out, const DecodeOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace statelog

#endif  // STATELOG_CODEC_H_
