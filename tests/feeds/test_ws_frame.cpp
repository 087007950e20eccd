// WsFrameDecoder on bytes alone: the rules WsClient drops a connection for, one frame at a time,
// without a socket (test_ws_framing.cpp runs the same rules through the client against a peer).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "odte/feeds/ws_frame.hpp"
#include "ws_frames.hpp"

namespace odte::feeds {
namespace {

using Kind = WsFrameEvent::Kind;

using test_support::LengthForm;
std::string frame(unsigned first_byte, std::string_view payload, LengthForm form = LengthForm::kShortest) {
  return test_support::server_frame(first_byte, payload, form);
}

constexpr unsigned kFin = 0x80;
std::string text(std::string_view p) { return frame(kFin | 0x1, p); }

struct Decoded {
  std::vector<WsFrameEvent> events;  // everything but kNeedMore; payloads copied into `payloads`
  std::vector<std::string> payloads;
  std::size_t consumed = 0;
};

// Every frame the decoder takes from the front of `bytes`, until it needs more or refuses.
Decoded decode_all(WsFrameDecoder& d, std::string_view bytes) {
  Decoded out;
  while (true) {
    const WsFrameEvent e = d.next(bytes.data() + out.consumed, bytes.size() - out.consumed);
    if (e.kind == Kind::kNeedMore) break;
    out.events.push_back(e);
    out.payloads.emplace_back(e.payload);
    if (e.kind == Kind::kError) break;
    out.consumed += e.consumed;
  }
  return out;
}

struct LengthCase {
  std::size_t size;
  LengthForm form;
};

class WsFrameLength : public ::testing::TestWithParam<LengthCase> {};

TEST_P(WsFrameLength, shouldHandOutATextFrameInPlaceWholeAndNothingBeforeItsLastByte) {
  const std::string payload(GetParam().size, 'x');
  const std::string f = frame(kFin | 0x1, payload, GetParam().form);
  WsFrameDecoder d(1u << 20);
  for (std::size_t cut = 0; cut < f.size(); cut += (cut < 16 ? 1 : 997)) {
    const WsFrameEvent e = d.next(f.data(), cut);
    ASSERT_EQ(e.kind, Kind::kNeedMore) << cut;
    EXPECT_EQ(e.consumed, 0u);
  }
  const WsFrameEvent e = d.next(f.data(), f.size());
  ASSERT_EQ(e.kind, Kind::kMessage);
  EXPECT_TRUE(e.text);
  EXPECT_EQ(e.consumed, f.size());
  EXPECT_EQ(e.payload.size(), payload.size());
  EXPECT_EQ(e.payload.data(), f.data() + (f.size() - payload.size()));  // in place, not copied
}

INSTANTIATE_TEST_SUITE_P(
    Forms, WsFrameLength,
    ::testing::Values(LengthCase{0, LengthForm::kShortest}, LengthCase{125, LengthForm::kShortest},
                      LengthCase{126, LengthForm::k16}, LengthCase{65535, LengthForm::k16},
                      LengthCase{65536, LengthForm::k64}, LengthCase{5, LengthForm::k64}),
    [](const auto& p) {
      return std::to_string(p.param.size) + (p.param.form == LengthForm::k64   ? "_64bit"
                                             : p.param.form == LengthForm::k16 ? "_16bit"
                                                                               : "_7bit");
    });

TEST(WsFrameDecoder, shouldHandOutEveryFrameOfABufferInOrder) {
  const std::string bytes = text("[1]") + frame(kFin | 0x2, "\x01\x02") + frame(kFin | 0xA, "") + text("[2]");
  WsFrameDecoder d(1024);
  const Decoded out = decode_all(d, bytes + "\x81");  // and the first byte of a next frame
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[0].kind, Kind::kMessage);
  EXPECT_EQ(out.payloads[0], "[1]");
  EXPECT_EQ(out.events[1].kind, Kind::kMessage);
  EXPECT_FALSE(out.events[1].text);
  EXPECT_EQ(out.events[2].kind, Kind::kPong);
  EXPECT_EQ(out.payloads[3], "[2]");
  EXPECT_EQ(out.consumed, bytes.size());
}

TEST(WsFrameDecoder, shouldPutAFragmentedMessageTogetherWithPaddingAndAPingBetween) {
  const std::string bytes = frame(0x1, "[\"ab") + frame(kFin | 0x9, "hi") + frame(0x0, "cd") + frame(kFin | 0x0, "\"]");
  WsFrameDecoder d(1024);
  const Decoded out = decode_all(d, bytes);
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[0].kind, Kind::kFragment);
  EXPECT_EQ(out.events[1].kind, Kind::kPing);
  EXPECT_EQ(out.payloads[1], "hi");
  EXPECT_EQ(out.events[2].kind, Kind::kFragment);
  ASSERT_EQ(out.events[3].kind, Kind::kMessage);
  EXPECT_TRUE(out.events[3].text);
  EXPECT_EQ(out.payloads[3], "[\"abcd\"]");
  EXPECT_EQ(out.consumed, bytes.size());
  // The padding promise for a message the decoder put together (ASan checks the read).
  const volatile char past = out.events[3].payload.data()[out.events[3].payload.size() + kFramePadding - 1];
  (void)past;
}

TEST(WsFrameDecoder, shouldReadTheCloseCodeOr1005WhenNoneIsGiven) {
  WsFrameDecoder d(1024);
  const std::string with_code = frame(kFin | 0x8, std::string("\x03\xe9" "bye", 5));
  const WsFrameEvent e = d.next(with_code.data(), with_code.size());
  ASSERT_EQ(e.kind, Kind::kClose);
  EXPECT_EQ(e.close_code, 1001);
  EXPECT_EQ(e.payload, std::string_view("\x03\xe9" "bye", 5));
  const std::string bare = frame(kFin | 0x8, "");
  EXPECT_EQ(d.next(bare.data(), bare.size()).close_code, 1005);
}

TEST(WsFrameDecoder, shouldRefuseALengthOverTheLimitBeforeThePayloadArrives) {
  WsFrameDecoder d(100);
  const std::string header = frame(kFin | 0x1, std::string(101, 'x')).substr(0, 4);
  EXPECT_EQ(d.next(header.data(), header.size()).error, WsFrameError::kTooBig);
}

TEST(WsFrameDecoder, shouldRefuseAFragmentedMessageThatGrowsOverTheLimit) {
  WsFrameDecoder d(100);
  const std::string bytes = frame(0x2, std::string(60, 'x')) + frame(kFin | 0x0, std::string(41, 'y'));
  const Decoded out = decode_all(d, bytes);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[1].error, WsFrameError::kTooBig);
  // One byte less fits.
  WsFrameDecoder fits(100);
  EXPECT_EQ(decode_all(fits, frame(0x2, std::string(60, 'x')) + frame(kFin | 0x0, std::string(40, 'y'))).events[1].kind,
            Kind::kMessage);
}

TEST(WsFrameDecoder, shouldReadTheHeaderOnlyOnceAllOfItIsThere) {
  WsFrameHeader h{};
  const std::string f = frame(kFin | 0x2, std::string(300, 'z'), LengthForm::k64);
  for (std::size_t n = 0; n < 10; ++n) EXPECT_EQ(read_ws_header(f.data(), n, h), 0u) << n;
  ASSERT_EQ(read_ws_header(f.data(), 10, h), 10u);
  EXPECT_EQ(h.payload_bytes, 300u);
  EXPECT_EQ(h.opcode, 0x2);
  EXPECT_TRUE(h.fin);
  EXPECT_FALSE(h.masked);
  EXPECT_FALSE(h.reserved_bits);
}

struct Refusal {
  const char* name;
  std::string bytes;
  WsFrameError error;
};

class WsFrameRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(WsFrameRefusal, shouldReportTheBrokenRuleAndKeepReportingIt) {
  WsFrameDecoder d(1024);
  const Decoded out = decode_all(d, GetParam().bytes);
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events.back().kind, Kind::kError);
  EXPECT_EQ(out.events.back().error, GetParam().error) << to_string(out.events.back().error);
  EXPECT_EQ(out.events.back().consumed, 0u);
  const std::string good = text("[]");
  EXPECT_EQ(d.next(good.data(), good.size()).error, GetParam().error);  // sticky: the connection must go
  EXPECT_EQ(d.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    ServerFrames, WsFrameRefusal,
    ::testing::Values(
        Refusal{"masked", std::string("\x81\x82", 2), WsFrameError::kMasked},
        Refusal{"reservedBits", std::string("\xC1\x02", 2), WsFrameError::kReservedBits},
        Refusal{"unknownOpcode", std::string("\x83\x02[]", 4), WsFrameError::kBadOpcode},
        Refusal{"unknownControlOpcode", std::string("\x8B\x00", 2), WsFrameError::kBadOpcode},
        Refusal{"continuationFirst", std::string("\x80\x02[]", 4), WsFrameError::kStrayContinuation},
        Refusal{"textInsideAMessage", frame(0x1, "[") + text("[]"), WsFrameError::kDataInMessage},
        Refusal{"fragmentedPing", std::string("\x09\x02hi", 4), WsFrameError::kFragmentedControl},
        Refusal{"longPong", frame(kFin | 0xA, std::string(126, 'p')), WsFrameError::kLongControl},
        Refusal{"badUtf8", text("[\"\xC3\x28\"]"), WsFrameError::kBadUtf8},
        Refusal{"badUtf8AcrossFragments", frame(0x1, "[\"\xC3") + frame(kFin, "\x28\"]"), WsFrameError::kBadUtf8},
        Refusal{"tooBig64", std::string("\x82\x7F\x80\x00\x00\x00\x00\x00\x00\x00", 10), WsFrameError::kTooBig}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(WsFrameDecoder, shouldAcceptUtf8SplitAcrossFragments) {
  WsFrameDecoder d(1024);
  const Decoded out = decode_all(d, frame(0x1, "[\"\xC3") + frame(kFin, "\xA9\"]"));
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[1].kind, Kind::kMessage);
  EXPECT_EQ(out.payloads[1], "[\"\xC3\xA9\"]");
}

}  // namespace
}  // namespace odte::feeds
