// Parsing go-nitro's JSON for State and SignedState (docs/nitro-encoding.md, "go-nitro's JSON").
#include "nitro/json_read.h"
#include "nitro/json_value.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

using json::Kind;
using json::ObjectReader;
using json::Value;

StatusOr<SignedState> ParseAny(std::string_view text) {
  STATELOG_ASSIGN_OR_RETURN(Value root, json::Parse(text));
  STATELOG_RETURN_IF_ERROR(json::ExpectKind(root, Kind::kObject, ""));
  ObjectReader r(root, "");
  SignedState out;
  if (r.Find("State") == nullptr && r.Find("Sigs") == nullptr) {
    STATELOG_RETURN_IF_ERROR(json::ParseState(root, "", &out.state));
    return out;
  }
  STATELOG_RETURN_IF_ERROR(r.Check({"State", "Sigs"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("State", &f));
  STATELOG_RETURN_IF_ERROR(json::ParseState(*f, "State", &out.state));
  if (const Value* sigs = r.Find("Sigs")) {
    STATELOG_RETURN_IF_ERROR(
        json::ParseSigs(*sigs, "Sigs", out.state.fixed.participants.size(), &out.sigs));
  }
  return out;
}

}  // namespace

StatusOr<State> ParseNitroStateJson(std::string_view json) {
  STATELOG_ASSIGN_OR_RETURN(SignedState s, ParseAny(json));
  return std::move(s.state);
}

StatusOr<SignedState> ParseNitroSignedStateJson(std::string_view json) { return ParseAny(json); }

}  // namespace statelog::nitro
