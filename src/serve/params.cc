#include "serve/params.h"

#include "base/decimal.h"

namespace statelog::serve {

std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u >= 0x7f || u == '\'' || u == '\\') {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(static_cast<char>(u));
    }
  }
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

StatusOr<uint64_t> ParseOffset(std::string_view text) {
  StatusOr<uint64_t> v = ParseDecimal64(text);
  if (!v.ok()) return Status::InvalidArgument("not an offset: " + Quote(text));
  return v;
}

StatusOr<ChannelId> ParseChannelId(std::string_view text) {
  auto id = ChannelId::FromHex(text);
  if (!id.ok()) {
    return Status::InvalidArgument("not a channel id (0x and 64 hex digits): " + Quote(text));
  }
  return *id;
}

StatusOr<EventId> ParseEventId(std::string_view text) {
  auto id = EventId::FromHex(text);
  if (!id.ok()) {
    return Status::InvalidArgument("not an event id (0x and 64 hex digits): " + Quote(text));
  }
  return *id;
}

StatusOr<ObjectiveId> ParseObjectiveId(std::string_view text) {
  auto id = ObjectiveId::Parse(text);
  if (!id.ok()) {
    return Status::InvalidArgument("not an objective id (e.g. DirectFunding-0x...): " +
                                   Quote(text));
  }
  return *id;
}

bool Params::Refuse(std::string_view name, std::string_view reason) {
  if (!error_) {
    error_ = ParamError{std::string(name),
                        "parameter '" + std::string(name) + "': " + std::string(reason)};
  }
  return false;
}

bool Params::Allow(std::initializer_list<std::string_view> allowed) {
  for (size_t i = 0; i < items_.size() && ok(); ++i) {
    const std::string& name = items_[i].first;
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Refuse(Quote(name).substr(1, Quote(name).size() - 2),
             "unknown parameter (this route takes: " + (list.empty() ? "none" : list) + ")");
      break;
    }
    for (size_t j = 0; j < i; ++j) {
      if (items_[j].first == name) {
        Refuse(name, "given more than once");
        break;
      }
    }
  }
  return ok();
}

const std::string* Params::Get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return &v;
  }
  return nullptr;
}

// The value of a parameter parsed by `parse`, or nullopt when it is absent or refused.
template <typename T>
std::optional<T> Params::Parsed(std::string_view name, StatusOr<T> (*parse)(std::string_view)) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  StatusOr<T> r = parse(*v);
  if (!r.ok()) {
    Refuse(name, r.status().message());
    return std::nullopt;
  }
  return *r;
}

std::optional<uint64_t> Params::Offset(std::string_view name) { return Parsed(name, ParseOffset); }

std::optional<uint64_t> Params::Count(std::string_view name, uint64_t min, uint64_t max) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  StatusOr<uint64_t> r = ParseDecimal64(*v);
  if (!r.ok() || *r < min || *r > max) {
    Refuse(name, "not a number from " + std::to_string(min) + " to " + std::to_string(max) + ": " +
                     Quote(*v));
    return std::nullopt;
  }
  return *r;
}

std::optional<ChannelId> Params::Channel(std::string_view name) {
  return Parsed(name, ParseChannelId);
}

std::optional<ObjectiveId> Params::Objective(std::string_view name) {
  return Parsed(name, ParseObjectiveId);
}

std::optional<Address> Params::Participant(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  auto a = Address::FromHex(*v);
  if (!a.ok()) {
    Refuse(name, "not an address (0x and 40 hex digits): " + Quote(*v));
    return std::nullopt;
  }
  return *a;
}

std::optional<EventType> Params::Type(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  auto t = ParseEventType(*v);
  if (!t) Refuse(name, "unknown event type: " + Quote(*v));
  return t;
}

std::optional<bool> Params::Bool(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  Refuse(name, "not true or false: " + Quote(*v));
  return std::nullopt;
}

std::optional<std::string> Params::Choice(std::string_view name,
                                          std::initializer_list<std::string_view> choices) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  std::string list;
  for (std::string_view c : choices) {
    if (c == *v) return *v;
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  Refuse(name, "not one of " + list + ": " + Quote(*v));
  return std::nullopt;
}

}  // namespace statelog::serve
