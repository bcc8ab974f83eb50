// The web explorer's files (web/*), embedded in the binary at build time (embed_assets.cmake).
// Only these paths are ever served as files: nothing is read from the file system.
#ifndef STATELOG_SERVE_ASSETS_H_
#define STATELOG_SERVE_ASSETS_H_

#include <cstddef>
#include <span>
#include <string_view>

namespace statelog::serve {

struct Asset {
  const char* path;          // e.g. "/app.js"
  const char* content_type;  // e.g. "text/javascript; charset=utf-8"
  const char* data;
  size_t size;
};

// Every embedded file (generated table).
std::span<const Asset> Assets();

// Returns the asset at exactly `path` ("/" is "/index.html"), or nullptr.
inline const Asset* FindAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const Asset& a : Assets()) {
    if (path == a.path) return &a;
  }
  return nullptr;
}

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_ASSETS_H_
