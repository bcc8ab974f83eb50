#include "serve/api.h"

#include <chrono>
#include <ctime>

#include "serve/api_internal.h"
#include "statelog/codec.h"
#include "statelog/snapshot.h"

namespace statelog::serve {

using internal::BadParam;
using internal::Json;
using internal::StatusError;

namespace {

constexpr uint64_t kMaxPage = 1000;
constexpr uint64_t kDefaultPage = 100;
// The most events one /api/v1/log request scans for a type filter before it returns a page
// (possibly empty) with "next" to continue from.
constexpr uint64_t kMaxScan = 100000;

// Splits "/a/b/c" into {"a","b","c"}; an empty segment (a doubled or trailing slash) is kept
// as "" so that such paths match no route.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// Reads ?at= and checks it against the log's length. Sets *end to the exclusive end of the
// view (at + 1, or the length without ?at=).
bool ResolveAt(Params& p, const EventStore& store, std::optional<Offset>* at, uint64_t* end,
               HttpResponse* error) {
  *at = p.Offset("at");
  if (!p.ok()) {
    *error = BadParam(*p.error());
    return false;
  }
  auto length = store.Length();
  if (!length.ok()) {
    *error = StatusError(length.status());
    return false;
  }
  if (*at && **at >= *length) {
    p.Refuse("at", "offset " + std::to_string(**at) + " is past the end of the log (length " +
                       std::to_string(*length) + ")");
    *error = BadParam(*p.error());
    return false;
  }
  *end = *at ? **at + 1 : *length;
  return true;
}

// 404 for an entity without events in the view of the first `end` events.
HttpResponse NotFound(const std::string& what, uint64_t end) {
  return Api::Error(
      404, "not_found",
      what + " has no event in the first " + std::to_string(end) + " events of the log");
}

}  // namespace

namespace internal {

HttpResponse Json(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

HttpResponse BadParam(const ParamError& e) {
  return Api::Error(400, "bad_parameter", e.message, e.parameter);
}

HttpResponse StatusError(const Status& st) {
  if (st.IsNotFound()) return Api::Error(404, "not_found", st.message());
  return Api::Error(500, "store_error", st.ToString());
}

}  // namespace internal

Api::Api(DB* db, ApiOptions options) : db_(db), options_(std::move(options)) {}

HttpResponse Api::Error(int status, std::string_view code, std::string_view message,
                        std::optional<std::string_view> parameter) {
  JsonOut j;
  j.BeginObject();
  j.Key("error");
  j.BeginObject();
  j.Field("code", code);
  j.Field("message", message);
  if (parameter) j.Field("parameter", *parameter);
  j.EndObject();
  j.EndObject();
  HttpResponse r;
  r.status = status;
  r.body = j.Take();
  return r;
}

namespace internal {

std::string FormatUtc(Timestamp micros) {
  const auto seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace internal

void Api::SetVerify(VerifyStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  verify_ = std::move(status);
}

VerifyStatus Api::verify() const {
  std::lock_guard<std::mutex> lock(mu_);
  return verify_;
}

void Api::SetLive(LiveStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  live_ = std::move(status);
}

LiveStatus Api::live() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

HttpResponse Api::Handle(const HttpRequest& request) {
  HttpResponse r;
  std::string route;
  try {
    const auto seg = Segments(request.path);
    bool empty_segment = false;
    for (std::string_view s : seg) empty_segment = empty_segment || s.empty();
    const size_t n = empty_segment ? 0 : seg.size();  // "//" or a trailing "/": no route
    if (request.method != "GET" && request.method != "HEAD") {
      r = Error(405, "method_not_allowed",
                "method " + Quote(request.method) + " is not allowed: the API is read-only");
      route = "other";
    } else if (n == 2 && seg[0] == "health" && (seg[1] == "live" || seg[1] == "ready")) {
      Params p(request.params);
      route = "/health/" + std::string(seg[1]);
      if (!p.Allow({})) {
        r = BadParam(*p.error());
      } else {
        r = seg[1] == "live" ? Live() : Ready();
      }
    } else if (n == 1 && seg[0] == "checkpoint") {
      route = "/checkpoint";
      r = Checkpoint(request);
    } else if (!seg.empty() && seg[0] == "tile") {
      route = seg.size() >= 2 && seg[1] == "entries" ? "/tile/entries/{N}" : "/tile/{L}/{N}";
      r = Tile(request);
    } else if (n >= 3 && seg[0] == "api" && seg[1] == "v1") {
      if (n == 3 && seg[2] == "head") {
        route = "/api/v1/head";
        r = Head(request);
      } else if (n == 3 && seg[2] == "channels") {
        route = "/api/v1/channels";
        r = Channels(request);
      } else if (n == 4 && seg[2] == "channels") {
        route = "/api/v1/channels/{id}";
        r = Channel(request, seg[3], "");
      } else if (n == 5 && seg[2] == "channels" && (seg[4] == "payments" || seg[4] == "timeline")) {
        route = "/api/v1/channels/{id}/" + std::string(seg[4]);
        r = Channel(request, seg[3], seg[4]);
      } else if (n == 3 && seg[2] == "objectives") {
        route = "/api/v1/objectives";
        r = Objectives(request);
      } else if (n == 4 && seg[2] == "objectives") {
        route = "/api/v1/objectives/{id}";
        r = Objective(request, seg[3]);
      } else if (n == 5 && seg[2] == "events" && seg[4] == "proof") {
        route = "/api/v1/events/{id}/proof";
        r = EventProof(request, seg[3]);
      } else if (n == 3 && seg[2] == "log") {
        route = "/api/v1/log";
        r = Log(request);
      }
    }
    if (route.empty()) {
      route = "unknown";
      r = Error(404, "not_found", "no such route: " + Quote(request.path));
    }
  } catch (const std::exception& e) {
    r = Error(500, "internal", std::string("internal error: ") + e.what());
  }
  r.route = route;
  return r;
}

HttpResponse Api::Live() { return Json(R"({"status":"live"})"); }

HttpResponse Api::Ready() {
  if (const LiveStatus live = this->live(); !live.reading()) {
    if (live.stopped) return Error(503, "not_ready", "live updates stopped: " + live.error);
    const Timestamp now = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    return Error(503, "not_ready",
                 "the store is unreachable since " + internal::FormatUtc(*live.unreachable_since) +
                     " (" + std::to_string((now - *live.unreachable_since) / 1'000'000) +
                     " s; reconnecting): " + live.error);
  }
  auto head = db_->events().Head();
  if (!head.ok()) {
    return Error(503, "not_ready", "the store cannot be read: " + head.status().ToString());
  }
  // The state cache folds up to the head on every current read: a read proves it can.
  auto view = db_->Objective(ObjectiveId{});
  if (!view.ok() && !view.status().IsNotFound()) {
    return Error(503, "not_ready", "the state cannot be read: " + view.status().ToString());
  }
  const uint64_t delivered = delivered_.load();
  const uint64_t lag = head->length > delivered ? head->length - delivered : 0;
  if (lag > options_.max_lag) {
    return Error(503, "not_ready",
                 "the server's view trails the head by " + std::to_string(lag) +
                     " events (at most " + std::to_string(options_.max_lag) + ")");
  }
  JsonOut j;
  j.BeginObject();
  j.Field("status", "ready");
  j.Field("length", head->length);
  j.Field("lag", lag);
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Head(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({"at"})) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  ChainHead head;
  if (at) {
    auto s = db_->events().Read(*at);
    if (!s.ok()) return StatusError(s.status());
    head = {*at + 1, s->chain};
  } else {
    auto h = db_->events().Head();
    if (!h.ok()) return StatusError(h.status());
    head = *h;
  }
  const VerifyStatus v = verify();
  JsonOut j;
  j.BeginObject();
  j.Field("length", head.length);
  j.Field("chain", head.chain);
  j.Field("backend", options_.backend);
  j.Key("verify");
  j.BeginObject();
  j.Field("status", !v.run ? "pending" : v.ok ? "ok" : "failed");
  if (v.run) {
    j.Field("events", v.events);
    j.Field("signatures", v.signatures);
    j.Field("length", v.head.length);
    j.Field("chain", v.head.chain);
    j.Field("finished_at", v.finished_at_unix);
    if (!v.ok) {
      j.Field("message", v.message);
      if (v.first_bad_offset) j.Field("first_bad_offset", *v.first_bad_offset);
    }
  }
  j.EndObject();
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Channels(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({"at", "kind", "ledger", "participant", "concluded"})) return BadParam(*p.error());
  auto kind = p.Choice("kind", {"ledger", "payment", "unknown"});
  auto ledger = p.Channel("ledger");
  auto participant = p.Participant("participant");
  auto concluded = p.Bool("concluded");
  if (!p.ok()) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  auto view = db_->View({.as_of = at});
  if (!view.ok()) return StatusError(view.status());
  std::set<ChannelId> funded;
  if (ledger) funded = internal::PaymentChannelsOf(*ledger, view->objectives);
  JsonOut j;
  j.BeginObject();
  j.Field("length", view->length);
  j.Key("channels");
  j.BeginArray();
  for (const auto& [id, c] : view->channels) {
    const internal::ChannelKind k = internal::KindOf(id, view->objectives);
    if (kind && internal::ChannelKindName(k) != *kind) continue;
    if (ledger && !funded.count(id)) continue;
    if (concluded && c.concluded != *concluded) continue;
    if (participant) {
      bool found = false;
      for (const Address& a : c.fixed.participants) found = found || a == *participant;
      if (!found) continue;
    }
    internal::WriteChannelSummary(j, c, k);
  }
  j.EndArray();
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Channel(const HttpRequest& r, std::string_view id_text, std::string_view sub) {
  Params p(r.params);
  auto id = ParseChannelId(id_text);
  if (!id.ok()) {
    return Error(400, "bad_parameter", "parameter 'id': " + std::string(id.status().message()),
                 "id");
  }
  if (!p.Allow({"at"})) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  if (sub == "timeline" || sub == "payments") {
    auto body = sub == "timeline" ? internal::ChannelTimeline(db_->events(), *id, end)
                                  : internal::ChannelPayments(db_->events(), *id, end);
    if (!body.ok()) return StatusError(body.status());
    return Json(std::move(*body));
  }
  auto c = db_->Channel(*id, {.as_of = at});
  if (c.status().IsNotFound()) return NotFound("channel " + id->ToHex(), end);
  if (!c.ok()) return StatusError(c.status());
  // The kind comes from the objectives named after the channel.
  std::map<ObjectiveId, ObjectiveState> owners;
  for (ObjectiveKind k : {ObjectiveKind::kDirectFunding, ObjectiveKind::kVirtualFund}) {
    ObjectiveId oid{k, *id};
    auto o = db_->Objective(oid, {.as_of = at});
    if (o.ok()) {
      owners.emplace(oid, *o);
    } else if (!o.status().IsNotFound()) {
      return StatusError(o.status());
    }
  }
  // The channel in statelog's one JSON shape of a channel (EncodeChannelState: the C API's, Go's
  // and `statelog show --json`'s), with what the API derives from it beside it.
  JsonOut j;
  j.BeginObject();
  j.Field("length", end);
  j.Field("kind", internal::ChannelKindName(internal::KindOf(*id, owners)));
  j.Key("balances");
  internal::WriteBalances(j, *c);
  j.Key("channel");
  j.Raw(EncodeChannelState(*c));
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Objectives(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({"at", "status", "kind", "channel"})) return BadParam(*p.error());
  auto status = p.Choice("status", {"Unapproved", "Approved", "Rejected", "Completed"});
  auto kind =
      p.Choice("kind", {"DirectFunding", "DirectDefunding", "VirtualFund", "VirtualDefund"});
  auto channel = p.Channel("channel");
  if (!p.ok()) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  auto view = db_->View({.as_of = at});
  if (!view.ok()) return StatusError(view.status());
  JsonOut j;
  j.BeginObject();
  j.Field("length", view->length);
  j.Key("objectives");
  j.BeginArray();
  for (const auto& [id, o] : view->objectives) {
    if (status && ObjectiveStatusName(o.status) != *status) continue;
    if (kind && ObjectiveKindName(id.kind) != *kind) continue;
    if (channel) {
      bool found = id.channel == *channel;
      for (const ChannelId& c : o.channels) found = found || c == *channel;
      if (!found) continue;
    }
    internal::WriteObjective(j, o);
  }
  j.EndArray();
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Objective(const HttpRequest& r, std::string_view id_text) {
  Params p(r.params);
  auto id = ParseObjectiveId(id_text);
  if (!id.ok()) {
    return Error(400, "bad_parameter", "parameter 'id': " + std::string(id.status().message()),
                 "id");
  }
  if (!p.Allow({"at"})) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  auto o = db_->Objective(*id, {.as_of = at});
  if (o.status().IsNotFound()) return NotFound("objective " + id->ToString(), end);
  if (!o.ok()) return StatusError(o.status());
  JsonOut j;
  j.BeginObject();
  j.Field("length", end);
  j.Key("objective");
  internal::WriteObjective(j, *o);
  j.EndObject();
  return Json(j.Take());
}

HttpResponse Api::Log(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({"at", "from", "limit", "type", "channel", "objective"})) {
    return BadParam(*p.error());
  }
  const uint64_t from = p.Offset("from").value_or(0);
  const uint64_t limit = p.Count("limit", 1, kMaxPage).value_or(kDefaultPage);
  auto type = p.Type("type");
  auto channel = p.Channel("channel");
  auto objective = p.Objective("objective");
  if (!p.ok()) return BadParam(*p.error());
  std::optional<Offset> at;
  uint64_t end = 0;
  HttpResponse err;
  if (!ResolveAt(p, db_->events(), &at, &end, &err)) return err;
  if (from > end) {
    p.Refuse("from", "offset " + std::to_string(from) + " is past the end of the view (" +
                         std::to_string(end) + " events)");
    return BadParam(*p.error());
  }
  const EventStore& store = db_->events();
  auto matches = [&](const Event& e) {
    if (type && e.type() != *type) return false;
    if (channel && (!e.channel() || *e.channel() != *channel)) return false;
    if (objective && (!e.objective() || *e.objective() != *objective)) return false;
    return true;
  };
  JsonOut j;
  j.BeginObject();
  j.Field("length", end);
  j.Key("events");
  j.BeginArray();
  std::optional<Offset> next;
  uint64_t written = 0;
  if (channel || objective) {
    auto offsets =
        channel ? store.ChannelOffsets(*channel, end) : store.ObjectiveOffsets(*objective, end);
    if (!offsets.ok()) return StatusError(offsets.status());
    for (Offset off : *offsets) {
      if (off < from) continue;
      if (written == limit) {
        next = off;
        break;
      }
      auto s = store.Read(off);
      if (!s.ok()) return StatusError(s.status());
      if (!matches(s->event)) continue;
      internal::WriteStoredEvent(j, *s);
      ++written;
    }
  } else {
    auto cursor = store.NewCursor(from, end);
    uint64_t scanned = 0;
    for (; cursor->Valid(); cursor->Next()) {
      const StoredEvent& s = cursor->event();
      if (written == limit || scanned == kMaxScan) {
        next = s.offset;
        break;
      }
      ++scanned;
      if (!matches(s.event)) continue;
      internal::WriteStoredEvent(j, s);
      ++written;
    }
    if (!cursor->status().ok()) return StatusError(cursor->status());
  }
  j.EndArray();
  j.Key("next");
  if (next) {
    j.Value(*next);
  } else {
    j.Null();
  }
  j.EndObject();
  return Json(j.Take());
}

}  // namespace statelog::serve
