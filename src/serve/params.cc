#include "serve/params.h"

#include <charconv>
#include <system_error>

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

std::optional<uint64_t> ParseOffset(std::string_view text, std::string* reason) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos ||
      ec != std::errc() || ptr != end) {
    *reason = "not an offset: " + Quote(text);
    return std::nullopt;
  }
  return v;
}

std::optional<ChannelId> ParseChannelId(std::string_view text, std::string* reason) {
  auto id = ChannelId::FromHex(text);
  if (!id.ok()) {
    *reason = "not a channel id (0x and 64 hex digits): " + Quote(text);
    return std::nullopt;
  }
  return *id;
}

std::optional<ObjectiveId> ParseObjectiveId(std::string_view text, std::string* reason) {
  auto id = ObjectiveId::Parse(text);
  if (!id.ok()) {
    *reason = "not an objective id (e.g. DirectFunding-0x...): " + Quote(text);
    return std::nullopt;
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

std::optional<uint64_t> Params::Offset(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  std::string reason;
  auto r = ParseOffset(*v, &reason);
  if (!r) Refuse(name, reason);
  return r;
}

std::optional<uint64_t> Params::Count(std::string_view name, uint64_t min, uint64_t max) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  std::string reason;
  auto r = ParseOffset(*v, &reason);
  if (!r || *r < min || *r > max) {
    Refuse(name, "not a number from " + std::to_string(min) + " to " + std::to_string(max) + ": " +
                     Quote(*v));
    return std::nullopt;
  }
  return r;
}

std::optional<ChannelId> Params::Channel(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  std::string reason;
  auto r = ParseChannelId(*v, &reason);
  if (!r) Refuse(name, reason);
  return r;
}

std::optional<ObjectiveId> Params::Objective(std::string_view name) {
  const std::string* v = Get(name);
  if (!v) return std::nullopt;
  std::string reason;
  auto r = ParseObjectiveId(*v, &reason);
  if (!r) Refuse(name, reason);
  return r;
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
