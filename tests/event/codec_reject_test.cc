// The decoder rejects every kind of bad input with an error that names the field and the reason.
// Mutations are applied with nlohmann::json (a test-only dependency) to the valid encodings of
// every event type, at every member of every nested object.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "statelog/codec.h"
#include "testing/sample_events.h"

namespace statelog {
namespace {

using json = nlohmann::ordered_json;

// Calls fn(path, parent, key) for every member of every object in `j`, depth first.
void ForEachMember(json& j, const std::string& path,
                   const std::function<void(const std::string&, json&, const std::string&)>& fn) {
  if (j.is_object()) {
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    for (const auto& k : keys) {
      std::string child = path.empty() ? k : path + "." + k;
      fn(path, j, k);
      ForEachMember(j[k], child, fn);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      ForEachMember(j[i], path + "[" + std::to_string(i) + "]", fn);
  }
}

std::string Decode(const std::string& text) {
  auto r = DecodeEvent(text);
  return r.ok() ? std::string("OK") : std::string(r.status().message());
}

std::vector<Event> Corpus() {
  std::vector<Event> all = testing::OneOfEachType(3);
  for (const Event& e : testing::EdgeCaseEvents()) {
    if (EncodeEvent(e).size() < 10000) all.push_back(e);  // keep the mutation count modest
  }
  return all;
}

TEST(CodecRejectTest, MissingMemberIsNamed) {
  for (const Event& e : Corpus()) {
    json doc = json::parse(EncodeEvent(e));
    int checked = 0;
    ForEachMember(doc, "", [&](const std::string& path, json& parent, const std::string& key) {
      json saved = parent[key];
      parent.erase(key);
      std::string err = Decode(doc.dump());
      std::string expected = (path.empty() ? "" : path + ": ") + "missing field \"" + key + "\"";
      EXPECT_EQ(err, expected) << EventTypeName(e.type());
      parent[key] = saved;  // ordered_json appends: order does not matter to the decoder
      ++checked;
    });
    EXPECT_GE(checked, 4);
    EXPECT_EQ(Decode(doc.dump()), "OK") << "restored document must decode";
  }
}

TEST(CodecRejectTest, ExtraMemberIsNamed) {
  for (const Event& e : Corpus()) {
    json doc = json::parse(EncodeEvent(e));
    ForEachMember(doc, "", [&](const std::string& path, json& parent, const std::string& key) {
      if (!parent[key].is_object()) return;
      std::string child = path.empty() ? key : path + "." + key;
      parent[key]["surprise"] = 1;
      EXPECT_EQ(Decode(doc.dump()), child + ": unknown field \"surprise\"");
      parent[key].erase("surprise");
    });
    doc["surprise"] = true;
    EXPECT_EQ(Decode(doc.dump()), "unknown field \"surprise\"");
  }
}

TEST(CodecRejectTest, WrongJsonTypeIsNamed) {
  for (const Event& e : Corpus()) {
    json doc = json::parse(EncodeEvent(e));
    ForEachMember(doc, "", [&](const std::string& path, json& parent, const std::string& key) {
      if (key == "type") return;  // covered by UnknownType
      json saved = parent[key];
      json wrong;
      if (saved.is_string())
        wrong = 12;
      else if (saved.is_number())
        wrong = "12";
      else if (saved.is_boolean())
        wrong = "true";
      else if (saved.is_array())
        wrong = json::object();
      else
        wrong = json::array();
      parent[key] = wrong;
      std::string child = path.empty() ? key : path + "." + key;
      std::string err = Decode(doc.dump());
      EXPECT_TRUE(err.starts_with(child + ": expected ")) << err << " for " << child;
      parent[key] = saved;
    });
  }
}

TEST(CodecRejectTest, BadHexIsNamed) {
  for (const Event& e : Corpus()) {
    json doc = json::parse(EncodeEvent(e));
    ForEachMember(doc, "", [&](const std::string& path, json& parent, const std::string& key) {
      json& v = parent[key];
      if (!v.is_string()) return;
      std::string s = v.get<std::string>();
      if (!s.starts_with("0x")) return;
      std::string child = path.empty() ? key : path + "." + key;
      v = s + "0";  // odd length or wrong length
      std::string err = Decode(doc.dump());
      EXPECT_TRUE(err.starts_with(child + ": hex ")) << err;
      if (s.size() > 2) {
        std::string bad = s;
        bad[2] = 'g';
        v = bad;
        EXPECT_EQ(Decode(doc.dump()), child + ": bad hex digit 'g' at position 2");
      }
      v = s.substr(2);  // no 0x
      EXPECT_EQ(Decode(doc.dump()), child + ": hex must start with 0x");
      v = s;
    });
  }
}

struct RangeCase {
  EventType type;
  std::string field;  // a top-level member or "a.b" nested path spelled as raw JSON text
  std::string bad;    // raw JSON value text
  std::string expect;
};

TEST(CodecRejectTest, NumbersOutOfRange) {
  const std::vector<RangeCase> cases = {
      {EventType::kStateSigned, "turn_num", "18446744073709551616",
       "state.turn_num: number out of range"},
      {EventType::kDepositDetected, "block_number", "-1",
       "block_number: number must not be negative"},
      {EventType::kDepositDetected, "block_number", "1.5",
       "block_number: expected an integer, got a fraction"},
      {EventType::kDepositDetected, "block_number", "1e3",
       "block_number: expected an integer, got a fraction"},
      {EventType::kDepositDetected, "block_number", "012",
       "block_number: number has a leading zero"},
      {EventType::kDepositDetected, "amount",
       "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"",
       "amount: number exceeds 2^256-1"},
      {EventType::kDepositDetected, "amount", "\"-5\"", "amount: bad decimal digit at position 0"},
      {EventType::kDepositDetected, "amount", "5", "amount: expected a decimal string"},
      {EventType::kDepositDetected, "ts", "9223372036854775808",
       "ts: number out of range (max 9223372036854775807)"},
      {EventType::kChannelCreated, "challenge_duration", "4294967296",
       "fixed.challenge_duration: number out of range (max 4294967295)"},
      {EventType::kStateSigned, "allocation_type", "256",
       "state.outcome[0].allocations[0].allocation_type: number out of range (max 255)"},
  };
  for (const auto& c : cases) {
    Event e = testing::SampleEvent(c.type, 3, 100);
    std::string text = EncodeEvent(e);
    std::string needle = "\"" + c.field + "\":";
    size_t pos = text.find(needle);
    ASSERT_NE(pos, std::string::npos) << c.field;
    size_t begin = pos + needle.size();
    size_t end = begin;
    if (text[end] == '"')
      end = text.find('"', end + 1) + 1;
    else
      while (end < text.size() && text[end] != ',' && text[end] != '}') ++end;
    text.replace(begin, end - begin, c.bad);
    EXPECT_EQ(Decode(text), c.expect) << text;
  }
  // ts accepts the whole int64 range.
  EXPECT_EQ(Decode(EncodeEvent(Event::Make(INT64_MIN, events::ObjectiveApproved{}))), "OK");
}

TEST(CodecRejectTest, UnknownTypeDuplicateAndIdMismatch) {
  Event e = testing::SampleEvent(EventType::kVoucherSent, 2, 5);
  std::string text = EncodeEvent(e);
  std::string unknown = text;
  unknown.replace(unknown.find("voucher_sent"), 12, "voucher_lost");
  EXPECT_EQ(Decode(unknown), "unknown event type \"voucher_lost\"");
  std::string dup = text;
  dup.insert(dup.size() - 1, ",\"amount\":\"1\"");
  EXPECT_EQ(Decode(dup), "duplicate field \"amount\"");
  std::string dup_ts = text;
  dup_ts.insert(dup_ts.size() - 1, ",\"ts\":5");
  EXPECT_EQ(Decode(dup_ts), "duplicate field \"ts\"");
  std::string changed = text;
  size_t amount = changed.find("\"amount\":\"") + 10;
  changed[amount] = changed[amount] == '9' ? '8' : '9';
  std::string err = Decode(changed);
  EXPECT_TRUE(err.starts_with("id does not match the content: id is " + e.id.ToHex())) << err;
  json no_type = json::parse(text);
  no_type.erase("type");
  EXPECT_EQ(Decode(no_type.dump()), "missing field \"type\"");
}

TEST(CodecRejectTest, MalformedJsonAndTrailingGarbage) {
  std::string good = EncodeEvent(testing::SampleEvent(EventType::kMessageSent, 1, 1));
  EXPECT_EQ(Decode(good), "OK");
  EXPECT_TRUE(Decode(good + "x").starts_with("trailing characters after the JSON object"));
  EXPECT_TRUE(Decode(good + " {}").starts_with("trailing characters"));
  EXPECT_EQ(Decode("[]"), "expected a JSON object");
  EXPECT_EQ(Decode("42"), "expected a JSON object");
  for (const char* bad : {"", "{", "{\"type\":", "{\"type\" \"x\"}", "nul", "{\"a\":1,}", "\"\\"}) {
    std::string err = Decode(bad);
    EXPECT_NE(err, "OK") << bad;
  }
  // Every truncation of a valid event fails cleanly (and never reads out of bounds: ASan).
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_NE(Decode(good.substr(0, n)), "OK") << n;
  }
  // Invalid UTF-8 in a string is malformed JSON.
  Event rejected = Event::Make(1, events::ObjectiveRejected{{}, "ok"});
  std::string text = EncodeEvent(rejected);
  text.replace(text.find("\"ok\""), 4, "\"\xff\xfe\"");
  EXPECT_TRUE(Decode(text).starts_with("malformed JSON")) << Decode(text);
}

}  // namespace
}  // namespace statelog
