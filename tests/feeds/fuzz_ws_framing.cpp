// libFuzzer target: any bytes as what a websocket server sent, through WsFrameDecoder the way WsClient
// drives it (append what a read brought, take every whole frame, keep the rest for the next read).
//
// Input: byte 0 picks max_message_bytes, byte 1 seeds where the stream is cut into reads, the rest is
// the stream. The stream is decoded three ways: in one read, in the seeded reads, and by a reference
// that writes RFC 6455's rules out plainly over the whole stream at once (with its own UTF-8 check,
// RFC 3629's table). All three must give the same messages, control frames, final error or
// unfinished tail. Every read is an exact-size heap copy of the unconsumed bytes, so ASan sees any
// read past them; each frame handed out must consume at least 2 bytes (no endless loop), lie inside
// the bytes given, and keep to the limits; an error must be sticky.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odte/feeds/ws_frame.hpp"

namespace {

using odte::feeds::WsFrameDecoder;
using odte::feeds::WsFrameError;
using odte::feeds::WsFrameEvent;
using Kind = WsFrameEvent::Kind;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_ws_framing: %s\n", what);
    std::abort();
  }
}

struct Event {
  Kind kind;
  std::string payload;
  bool text;
  std::uint16_t close_code;
  WsFrameError error;
  bool operator==(const Event&) const = default;
};

struct Outcome {
  std::vector<Event> events;  // kNeedMore never; at most one kError, last
  std::size_t consumed = 0;   // bytes of the frames before the unfinished tail or the error
  bool in_message = false;
  bool operator==(const Outcome&) const = default;
};

// RFC 3629: the well-formed UTF-8 byte sequences (no overlongs, no surrogates, nothing over U+10FFFF).
bool utf8(std::string_view s) {
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    const unsigned b = at(i);
    std::size_t more = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the second byte's range
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      more = 1;
    } else if (b == 0xE0) {
      more = 2, lo = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      more = 2;
    } else if (b == 0xED) {
      more = 2, hi = 0x9F;
    } else if (b == 0xF0) {
      more = 3, lo = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      more = 3;
    } else if (b == 0xF4) {
      more = 3, hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= more) return false;
    if (at(i + 1) < lo || at(i + 1) > hi) return false;
    for (std::size_t k = 2; k <= more; ++k) {
      if (at(i + k) < 0x80 || at(i + k) > 0xBF) return false;
    }
    i += more + 1;
  }
  return true;
}

// The rules, plainly, over the whole stream.
Outcome reference(const unsigned char* s, std::size_t n, std::size_t max) {
  Outcome o;
  std::string message;
  bool message_text = false;
  const auto refuse = [&](WsFrameError e) {
    o.events.push_back(Event{Kind::kError, {}, false, 0, e});
    return o;
  };
  std::size_t pos = 0;
  while (n - pos >= 2) {
    const unsigned char* p = s + pos;
    const std::size_t have = n - pos;
    if (p[0] & 0x70u) return refuse(WsFrameError::kReservedBits);
    if (p[1] & 0x80u) return refuse(WsFrameError::kMasked);
    std::uint64_t len = p[1] & 0x7Fu;
    std::size_t header = 2;
    if (len == 126) {
      if (have < 4) break;
      len = std::uint64_t{p[2]} * 256 + p[3];
      header = 4;
    } else if (len == 127) {
      if (have < 10) break;
      len = 0;
      for (std::size_t i = 2; i < 10; ++i) len = len * 256 + p[i];
      header = 10;
    }
    if (len > max) return refuse(WsFrameError::kTooBig);
    if (have - header < len) break;
    const std::string payload(reinterpret_cast<const char*>(p + header), static_cast<std::size_t>(len));
    const unsigned op = p[0] & 0x0Fu;
    const bool fin = (p[0] & 0x80u) != 0;
    if (op >= 0x8) {
      if (op > 0xA) return refuse(WsFrameError::kBadOpcode);
      if (!fin) return refuse(WsFrameError::kFragmentedControl);
      if (len > 125) return refuse(WsFrameError::kLongControl);
      const Kind k = op == 0x8 ? Kind::kClose : op == 0x9 ? Kind::kPing : Kind::kPong;
      const std::uint16_t code =
          op != 0x8 ? 0 : len >= 2 ? static_cast<std::uint16_t>(p[header] * 256 + p[header + 1]) : 1005;
      o.events.push_back(Event{k, payload, false, code, WsFrameError::kNone});
    } else if (op == 0x0) {
      if (!o.in_message) return refuse(WsFrameError::kStrayContinuation);
      if (message.size() + len > max) return refuse(WsFrameError::kTooBig);
      message += payload;
      if (!fin) {
        o.events.push_back(Event{Kind::kFragment, {}, false, 0, WsFrameError::kNone});
      } else {
        o.in_message = false;
        if (message_text && !utf8(message)) return refuse(WsFrameError::kBadUtf8);
        o.events.push_back(Event{Kind::kMessage, message, message_text, 0, WsFrameError::kNone});
      }
    } else if (op <= 0x2) {
      if (o.in_message) return refuse(WsFrameError::kDataInMessage);
      if (!fin) {
        o.in_message = true;
        message_text = op == 0x1;
        message = payload;
        o.events.push_back(Event{Kind::kFragment, {}, false, 0, WsFrameError::kNone});
      } else {
        if (op == 0x1 && !utf8(payload)) return refuse(WsFrameError::kBadUtf8);
        o.events.push_back(Event{Kind::kMessage, payload, op == 0x1, 0, WsFrameError::kNone});
      }
    } else {
      return refuse(WsFrameError::kBadOpcode);
    }
    pos += header + static_cast<std::size_t>(len);
    o.consumed = pos;
  }
  return o;
}

// One call of next() over the unconsumed bytes [data, data + size), with the checks every answer
// must pass. False when the decoder wants more bytes or refused them.
bool take_one(WsFrameDecoder& d, const char* data, std::size_t size, Outcome& o) {
  const std::size_t max = d.max_message_bytes();
  const WsFrameEvent e = d.next(data, size);
  switch (e.kind) {
    case Kind::kNeedMore: {
      check(e.consumed == 0 && e.payload.empty(), "kNeedMore consumed bytes");
      odte::feeds::WsFrameHeader h{};
      if (odte::feeds::read_ws_header(data, size, h) != 0) {
        check(!h.reserved_bits && !h.masked && h.payload_bytes <= max, "kNeedMore on a frame it should refuse");
        check(h.header_bytes + h.payload_bytes > size, "kNeedMore on a whole frame");
      }
      return false;
    }
    case Kind::kError: {
      check(e.consumed == 0, "kError consumed bytes");
      check(e.error != WsFrameError::kNone && d.error() == e.error, "kError without a reason");
      check(d.next(data, size).error == e.error, "error not sticky");
      o.events.push_back(Event{Kind::kError, {}, false, 0, e.error});
      return false;
    }
    case Kind::kMessage:
    case Kind::kFragment:
    case Kind::kPing:
    case Kind::kPong:
    case Kind::kClose:
      break;
  }
  check(e.consumed >= 2 && e.consumed <= size, "frame consumed fewer than 2 or more than the bytes given");
  check(e.error == WsFrameError::kNone, "an event with an error");
  const auto addr = [](const char* q) { return reinterpret_cast<std::uintptr_t>(q); };
  const bool in_place = addr(e.payload.data()) >= addr(data) && addr(e.payload.data()) <= addr(data + size);
  if (e.kind == Kind::kMessage && !in_place) {
    // Put together from fragments: the decoder's own bytes, with the padding readable after them.
    const volatile char past = e.payload.data()[e.payload.size() + odte::feeds::kFramePadding - 1];
    (void)past;
  } else if (!e.payload.empty()) {
    check(in_place && e.payload.data() + e.payload.size() == data + e.consumed, "payload not the frame's tail");
  }
  if (e.kind == Kind::kMessage) {
    check(e.payload.size() <= max, "message over the limit");
    check(!e.text || utf8(e.payload), "text message not UTF-8");
  }
  if (e.kind == Kind::kPing || e.kind == Kind::kPong || e.kind == Kind::kClose) {
    check(e.payload.size() <= 125, "control payload over 125");
  }
  const bool keep_payload = e.kind != Kind::kFragment;
  o.events.push_back(Event{e.kind, keep_payload ? std::string(e.payload) : std::string(), e.text, e.close_code,
                           WsFrameError::kNone});
  o.consumed += e.consumed;
  return true;
}

// The stream arriving in reads cut by `seed` (seed 0: one read), decoded as WsClient does.
Outcome decode_in_reads(const unsigned char* s, std::size_t n, std::size_t max, unsigned seed) {
  WsFrameDecoder d(max);
  Outcome o;
  std::string pending;  // bytes read, not consumed yet
  std::size_t fed = 0;
  std::uint32_t rng = seed * 2654435761u + 1;
  std::size_t calls = 0;
  while (fed < n) {
    std::size_t step = n - fed;
    if (seed != 0) {
      rng = rng * 1664525u + 1013904223u;
      // Mostly short reads (frame headers cut anywhere), sometimes long ones.
      step = std::min<std::size_t>(step, (rng >> 28) < 12 ? 1 + (rng >> 8) % 16 : 1 + (rng >> 8) % 1024);
    }
    pending.append(reinterpret_cast<const char*>(s + fed), step);
    fed += step;
    // An exact-size heap copy per read, as the client's buffer holds it: ASan sees a read past it.
    const std::unique_ptr<char[]> copy(new char[pending.size()]);
    if (!pending.empty()) std::memcpy(copy.get(), pending.data(), pending.size());
    std::size_t pos = 0;
    while (take_one(d, copy.get() + pos, pending.size() - pos, o)) {
      pos = o.consumed - (fed - pending.size());
      check(++calls <= n, "more frames than bytes / 2");
    }
    if (!o.events.empty() && o.events.back().kind == Kind::kError) break;
    pending.erase(0, pos);
  }
  o.in_message = d.in_message();
  return o;
}

void same_or_abort(const Outcome& a, const Outcome& b, const char* what) {
  if (a == b) return;
  std::fprintf(stderr, "fuzz_ws_framing: %s differ: events %zu vs %zu, consumed %zu vs %zu, in_message %d vs %d\n",
               what, a.events.size(), b.events.size(), a.consumed, b.consumed, a.in_message, b.in_message);
  for (std::size_t i = 0; i < a.events.size() && i < b.events.size(); ++i) {
    if (!(a.events[i] == b.events[i])) {
      std::fprintf(stderr, "  first difference at event %zu: kind %d/%d size %zu/%zu error %s/%s\n", i,
                   static_cast<int>(a.events[i].kind), static_cast<int>(b.events[i].kind), a.events[i].payload.size(),
                   b.events[i].payload.size(), odte::feeds::to_string(a.events[i].error).data(),
                   odte::feeds::to_string(b.events[i].error).data());
      break;
    }
  }
  std::abort();
}

constexpr std::size_t kLimits[8] = {0, 1, 125, 126, 300, 4096, 65536, 16u << 20};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max = kLimits[data[0] & 7u];
  const unsigned seed = data[1];
  const unsigned char* stream = data + 2;
  const std::size_t n = size - 2;
  const Outcome expected = reference(stream, n, max);
  same_or_abort(expected, decode_in_reads(stream, n, max, 0), "reference and one read");
  if (seed != 0) same_or_abort(expected, decode_in_reads(stream, n, max, seed), "reference and seeded reads");
  return 0;
}
