// Round trip, determinism and the canonical form of the event codec.
#include "statelog/codec.h"

#include <gtest/gtest.h>

#include "event/encoded_id.h"
#include "statelog/keccak.h"
#include "testing/sample_events.h"

namespace statelog {
namespace {

using testing::EdgeCaseEvents;
using testing::OneOfEachType;

class EveryTypeTest : public ::testing::TestWithParam<size_t> {};

TEST_P(EveryTypeTest, RoundTripsAndIsDeterministic) {
  for (uint64_t seed : {1, 2, 3, 1000}) {
    Event e = testing::SampleEvent(static_cast<EventType>(GetParam()), seed, 1'700'000'000'000'000);
    std::string a = EncodeEvent(e);
    std::string b = EncodeEvent(e);
    EXPECT_EQ(a, b);
    auto back = DecodeEvent(a);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << a;
    EXPECT_EQ(*back, e);
    EXPECT_EQ(EncodeEvent(*back), a) << "re-encoding must give the same bytes";
    EXPECT_TRUE(back->HasValidId());
    // The id is keccak256 of the encoding without the id member.
    std::string content;
    EncodeEventContent(e.timestamp, e.body, &content);
    EXPECT_EQ(Keccak256(content), e.id);
    EXPECT_EQ("{\"id\":\"" + e.id.ToHex() + "\"," + content.substr(1), a);
    // The log core hashes the id from the encoding it stores.
    EXPECT_EQ(codec_internal::ContentIdOfEncoding(a), e.id);
  }
}

TEST(CodecTest, ContentIdOfEncodingNeedsAnIdMember) {
  const Event e = testing::SampleEvent(EventType::kObjectiveApproved, 1, 1'700'000'000'000'000);
  const std::string a = EncodeEvent(e);
  std::string content;
  EncodeEventContent(e.timestamp, e.body, &content);
  EXPECT_EQ(codec_internal::ContentIdOfEncoding(content), std::nullopt);
  EXPECT_EQ(codec_internal::ContentIdOfEncoding(""), std::nullopt);
  EXPECT_EQ(codec_internal::ContentIdOfEncoding(a.substr(0, 75)), std::nullopt);  // nothing after
  std::string no_comma = a;
  no_comma[74] = ' ';
  EXPECT_EQ(codec_internal::ContentIdOfEncoding(no_comma), std::nullopt);
  // A changed byte of the content changes the id; a changed id member does not.
  std::string other_id = a;
  other_id[10] = other_id[10] == '0' ? '1' : '0';
  EXPECT_EQ(codec_internal::ContentIdOfEncoding(other_id), e.id);
  std::string other_content = a;
  other_content[a.size() - 3] ^= 1;
  EXPECT_NE(codec_internal::ContentIdOfEncoding(other_content), e.id);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, EveryTypeTest, ::testing::Range<size_t>(0, kEventTypeCount),
                         [](const ::testing::TestParamInfo<size_t>& param_info) {
                           return std::string(
                               EventTypeName(static_cast<EventType>(param_info.param)));
                         });

TEST(CodecTest, AtLeastFifteenTypesWithDistinctNames) {
  EXPECT_GE(kEventTypeCount, 15u);
  std::set<std::string_view> names;
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    auto name = EventTypeName(static_cast<EventType>(t));
    EXPECT_EQ(ParseEventType(name), static_cast<EventType>(t));
    names.insert(name);
  }
  EXPECT_EQ(names.size(), kEventTypeCount);
  EXPECT_FALSE(ParseEventType("no_such_type").has_value());
}

TEST(CodecTest, EdgeCasesRoundTrip) {
  for (const Event& e : EdgeCaseEvents()) {
    std::string json = EncodeEvent(e);
    auto back = DecodeEvent(json);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, e);
  }
}

TEST(CodecTest, ContentChangesTheId) {
  std::vector<Event> all = OneOfEachType(5);
  std::set<EventId> ids;
  for (const Event& e : all) ids.insert(e.id);
  EXPECT_EQ(ids.size(), all.size());
  Event a = all[0];
  Event b = Event::Make(a.timestamp + 1, a.body);
  EXPECT_NE(a.id, b.id);
}

// The canonical form, written by hand from docs/adr/0002-event-serialization.md.
TEST(CodecTest, CanonicalFormMatchesTheSpec) {
  const std::string channel = "0x" + std::string(64, '1');
  ChannelId cid = *ChannelId::FromHex(channel);
  const std::string content = R"({"type":"objective_approved","ts":1700000000000000,)"
                              R"("objective_id":"DirectFunding-)" +
                              channel + R"("})";
  Event e = Event::Make(1700000000000000,
                        events::ObjectiveApproved{{ObjectiveKind::kDirectFunding, cid}});
  EXPECT_EQ(e.id, Keccak256(content));
  EXPECT_EQ(EncodeEvent(e), R"({"id":")" + Keccak256(content).ToHex() + "\"," + content.substr(1));

  Event d = Event::Make(-5, events::DepositDetected{cid, Address{}, Uint256::Max(), Uint256(0), 9});
  std::string expected_content =
      R"({"type":"deposit_detected","ts":-5,"channel_id":")" + channel +
      R"(","asset":"0x0000000000000000000000000000000000000000","amount":"115792089237316195423570985008687907853269984665640564039457584007913129639935","now_held":"0","block_number":9})";
  std::string content_d;
  EncodeEventContent(d.timestamp, d.body, &content_d);
  EXPECT_EQ(content_d, expected_content);
}

TEST(CodecTest, TextIsEscapedMinimally) {
  Event e = Event::Make(1, events::ObjectiveRejected{{}, "a\"b\\c\x01\n\xc3\xa9"});
  std::string json = EncodeEvent(e);
  EXPECT_NE(json.find(R"("reason":"a\"b\\c\u0001\u000a)"
                      "\xc3\xa9\""),
            std::string::npos)
      << json;
}

TEST(CodecTest, AcceptsAnyMemberOrderAndWhitespace) {
  Event e = testing::SampleEvent(EventType::kDepositDetected, 3, 77);
  std::string json = "{ \"block_number\" : " + std::to_string(1003) +
                     " ,\n\"now_held\":\"60\", \"amount\":\"30\", \"asset\": "
                     "\"0x0000000000000000000000000000000000000000\", \"channel_id\":\"" +
                     testing::SampleBytes32(3).ToHex() +
                     "\", \"ts\": 77, \"type\": " + "\"deposit_detected\", \"id\": \"" +
                     e.id.ToHex() + "\" }\n";
  auto back = DecodeEvent(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(CodecTest, ReusableDecoderAndUnverifiedMode) {
  EventDecoder decoder;
  for (const Event& e : OneOfEachType(9)) {
    Event out;
    ASSERT_TRUE(decoder.Decode(EncodeEvent(e), &out).ok());
    EXPECT_EQ(out, e);
  }
  Event e = OneOfEachType(9)[3];
  e.id.bytes[0] ^= 1;
  Event out;
  EXPECT_FALSE(decoder.Decode(EncodeEvent(e), &out).ok());
  EXPECT_TRUE(decoder.Decode(EncodeEvent(e), &out, DecodeOptions{.verify_id = false}).ok());
  EXPECT_EQ(out.id, e.id);
}

// complete_id: an event without "id" gets the id of its content; one with an id is checked.
TEST(CodecTest, CompleteIdFillsAMissingIdAndChecksAPresentOne) {
  for (const Event& e : OneOfEachType(5)) {
    std::string content;
    EncodeEventContent(e.timestamp, e.body, &content);
    EXPECT_EQ(DecodeEvent(content).status().message(), "missing field \"id\"");
    auto completed = DecodeEvent(content, DecodeOptions{.complete_id = true});
    ASSERT_TRUE(completed.ok()) << completed.status().ToString();
    EXPECT_EQ(*completed, e) << EventTypeName(e.type());
    EXPECT_EQ(EncodeEvent(*completed), EncodeEvent(e));
  }
  Event wrong = OneOfEachType(5)[2];
  const EventId right = wrong.id;
  wrong.id.bytes[31] ^= 1;
  EXPECT_EQ(DecodeEvent(EncodeEvent(wrong), DecodeOptions{.complete_id = true}).status().message(),
            "id does not match the content: id is " + wrong.id.ToHex() + ", content hashes to " +
                right.ToHex());
}

TEST(ObjectiveIdTest, ParsesAndPrints) {
  ObjectiveId id{ObjectiveKind::kVirtualDefund, testing::SampleBytes32(1)};
  auto back = ObjectiveId::Parse(id.ToString());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, id);
  EXPECT_TRUE(id.ToString().starts_with("VirtualDefund-0x"));
  EXPECT_EQ(ObjectiveId::Parse("Bogus-0x00").status().message(), "unknown objective kind 'Bogus'");
  EXPECT_EQ(ObjectiveId::Parse("nodash").status().message(),
            "objective id must be <Kind>-0x<channel id>");
  EXPECT_EQ(ObjectiveId::Parse("DirectFunding-0x12").status().message(),
            "objective channel id: hex must have 64 digits, has 2");
}

TEST(EventTest, EntityAccessors) {
  Event s = testing::SampleEvent(EventType::kStateSigned, 4, 1);
  ASSERT_NE(s.channel(), nullptr);
  EXPECT_EQ(*s.channel(), testing::SampleBytes32(4));
  EXPECT_EQ(s.objective(), nullptr);
  Event o = testing::SampleEvent(EventType::kObjectiveApproved, 4, 1);
  EXPECT_EQ(o.channel(), nullptr);
  ASSERT_NE(o.objective(), nullptr);
  EXPECT_EQ(o.objective()->channel, testing::SampleBytes32(4));
  Event m = testing::SampleEvent(EventType::kMessageSent, 4, 1);
  EXPECT_EQ(m.channel(), nullptr);
  EXPECT_EQ(m.objective(), nullptr);
}

}  // namespace
}  // namespace statelog
