// The transparency-log routes of the API (docs/http-api.md, "Checkpoints, tiles and proofs"):
// the latest kept signed checkpoint, tlog-tiles hash tiles of the log's Merkle tree, and the
// .tlog-proof of one event, all from what the store keeps (statelog/kept_checkpoint.h).
#include <string>

#include "serve/api.h"
#include "serve/api_internal.h"
#include "statelog/kept_checkpoint.h"
#include "statelog/tlog.h"

namespace statelog::serve {

using internal::BadParam;
using internal::StatusError;

namespace {

// A full tile never changes, nor do the first W hashes of a partial one: cached for a year.
constexpr const char* kTileCacheControl = "public, max-age=31536000, immutable";

HttpResponse Text(std::string body, std::string content_type) {
  HttpResponse r;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

// The answer when the latest kept checkpoint cannot be read: 404 when none is kept (the
// message says how to sign one) or the store keeps none, 500 otherwise.
HttpResponse NoCheckpoint(const Status& st) {
  if (st.code() == StatusCode::kFailedPrecondition || st.code() == StatusCode::kNotSupported) {
    return Api::Error(404, "not_found", st.message());
  }
  return StatusError(st);
}

}  // namespace

HttpResponse Api::Checkpoint(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({})) return BadParam(*p.error());
  auto latest = tlog::RequireLatestCheckpoint(db_->events().log());
  if (!latest.ok()) return NoCheckpoint(latest.status());
  return Text(std::move(latest->note), "text/plain; charset=utf-8");
}

HttpResponse Api::Tile(const HttpRequest& r) {
  Params p(r.params);
  if (!p.Allow({})) return BadParam(*p.error());
  const std::string_view path = std::string_view(r.path).substr(1);
  if (path == "tile/entries" || path.starts_with("tile/entries/")) {
    return Error(404, "not_found",
                 "data tiles (tile/entries/...) are not served: read the events from /api/v1/log "
                 "or prove one with /api/v1/events/{id}/proof");
  }
  auto tile = tlog::ParseTilePath(path);
  if (!tile.ok()) return Error(400, "bad_path", tile.status().message());
  const tlog::HashReader* tree = db_->events().log().tree();
  if (tree == nullptr) return Error(404, "not_found", "this store keeps no Merkle tree");
  auto head = db_->Head();
  if (!head.ok()) return StatusError(head.status());
  auto bytes = tlog::ReadTile(*tile, head->length, *tree);
  if (!bytes.ok()) return StatusError(bytes.status());
  HttpResponse out = Text(std::move(*bytes), "application/octet-stream");
  out.cache_control = kTileCacheControl;
  return out;
}

HttpResponse Api::EventProof(const HttpRequest& r, std::string_view id_text) {
  auto id = ParseEventId(id_text);
  if (!id.ok()) {
    return Error(400, "bad_parameter", "parameter 'id': " + std::string(id.status().message()),
                 "id");
  }
  Params p(r.params);
  if (!p.Allow({})) return BadParam(*p.error());
  const statelog::Log& log = db_->events().log();
  auto latest = tlog::RequireLatestCheckpoint(log);
  if (!latest.ok()) return NoCheckpoint(latest.status());
  auto offset = db_->Find(*id);
  if (!offset.ok()) return StatusError(offset.status());
  if (!*offset) return Error(404, "not_found", "no event with id " + id->ToHex() + " in the log");
  if (**offset >= latest->size) {
    return Error(404, "not_found",
                 "event " + id->ToHex() + " (offset " + std::to_string(**offset) +
                     ") is not in the latest kept checkpoint, of " + std::to_string(latest->size) +
                     " events: run `statelog checkpoint` to sign a newer one");
  }
  auto file = tlog::ProveRecord(log, **offset, *latest);
  if (!file.ok()) return StatusError(file.status());
  return Text(file->Encode(), "text/plain; charset=utf-8");
}

}  // namespace statelog::serve
