// Parsing go-nitro's JSON for State and SignedState (docs/nitro-encoding.md, "go-nitro's JSON").
#include "nitro/json_read.h"
#include "nitro/json_value.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

using json::Value;

StatusOr<SignedState> ParseAny(std::string_view text) {
  STATELOG_ASSIGN_OR_RETURN(Value root, json::Parse(text));
  SignedState out;
  STATELOG_RETURN_IF_ERROR(json::ParseSignedState(root, "", &out));
  return out;
}

}  // namespace

StatusOr<State> ParseNitroStateJson(std::string_view json) {
  STATELOG_ASSIGN_OR_RETURN(SignedState s, ParseAny(json));
  return std::move(s.state);
}

StatusOr<SignedState> ParseNitroSignedStateJson(std::string_view json) { return ParseAny(json); }

}  // namespace statelog::nitro
