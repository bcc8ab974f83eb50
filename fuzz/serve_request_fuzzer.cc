// Fuzzes the HTTP API's request handling (serve::Api::Handle, everything behind the HTTP parser)
// on a store holding a real channel history. The input is "METHOD PATH?QUERY" (no method: GET);
// the query is split on '&' and '='. Every answer must be one of the documented statuses with a
// valid JSON body (a 200 of /checkpoint, /tile/... or a proof: its text or bytes instead), and a
// 400 must name the parameter at fault (a malformed tile path: bad_path, the path).
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "demo/scenario.h"
#include "serve/api.h"
#include "statelog/db.h"

namespace {

struct Fixture {
  std::unique_ptr<statelog::DB> db = statelog::DB::Open("memory:").value();
  std::unique_ptr<statelog::serve::Api> api;

  Fixture() {
    using statelog::demo::Actor;
    statelog::demo::ChannelScript script(Actor::Irene(), Actor::Alice(), 7, 1'700'000'000'000'000,
                                         statelog::Uint256(100));
    auto events = script.DirectFundingLifecycle(3);
    auto appended = db->AppendBatch(events);
    if (!appended.ok()) {
      std::fprintf(stderr, "fixture: %s\n", appended.status().ToString().c_str());
      std::abort();
    }
    api = std::make_unique<statelog::serve::Api>(db.get(), statelog::serve::ApiOptions{});
  }
};

[[noreturn]] void Fail(const char* what, const statelog::serve::HttpRequest& request,
                       const statelog::serve::HttpResponse& response) {
  std::fprintf(stderr, "%s: %s %s -> %d %s\n", what, request.method.c_str(), request.path.c_str(),
               response.status, response.body.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  statelog::serve::HttpRequest request;
  request.method = "GET";
  if (size_t space = input.find(' '); space != std::string_view::npos) {
    request.method = std::string(input.substr(0, space));
    input.remove_prefix(space + 1);
  }
  const size_t question = input.find('?');
  request.path = std::string(input.substr(0, question));
  if (question != std::string_view::npos) {
    std::string_view query = input.substr(question + 1);
    while (true) {
      const size_t amp = query.find('&');
      std::string_view item = query.substr(0, amp);
      const size_t eq = item.find('=');
      request.params.emplace_back(
          std::string(item.substr(0, eq)),
          eq == std::string_view::npos ? std::string() : std::string(item.substr(eq + 1)));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  const statelog::serve::HttpResponse r = fixture.api->Handle(request);
  if (r.status != 200 && r.status != 400 && r.status != 404 && r.status != 405) {
    Fail("undocumented status", request, r);
  }
  if (r.route.empty()) Fail("no route label", request, r);
  if (r.content_type != "application/json") {
    const bool proof_route = r.route == "/checkpoint" || r.route == "/tile/{L}/{N}" ||
                             r.route == "/api/v1/events/{id}/proof";
    if (r.status != 200 || !proof_route) Fail("not JSON", request, r);
    return 0;
  }
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS) Fail("invalid JSON", request, r);
  if (r.status == 400) {
    std::string_view parameter, code;
    const bool bad_path = doc["error"]["code"].get(code) == simdjson::SUCCESS &&
                          code == "bad_path" && r.route == "/tile/{L}/{N}";
    if (!bad_path && doc["error"]["parameter"].get(parameter) != simdjson::SUCCESS) {
      Fail("a 400 without the parameter", request, r);
    }
  }
  return 0;
}
