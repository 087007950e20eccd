#include "odte/feeds/ws_frame.hpp"

#include <simdjson.h>

#include "odte/feeds/parser.hpp"

namespace odte::feeds {

// Messages are parsed in place by FrameParser::parse_padded.
static_assert(kFramePadding >= kPadding);

std::string_view to_string(WsFrameError e) noexcept {
  switch (e) {
    case WsFrameError::kNone: return "none";
    case WsFrameError::kReservedBits: return "reserved bits set";
    case WsFrameError::kMasked: return "masked server frame";
    case WsFrameError::kTooBig: return "message too big";
    case WsFrameError::kBadOpcode: return "reserved opcode";
    case WsFrameError::kDataInMessage: return "data frame inside a fragmented message";
    case WsFrameError::kStrayContinuation: return "continuation without a message";
    case WsFrameError::kFragmentedControl: return "fragmented control frame";
    case WsFrameError::kLongControl: return "control frame over 125 bytes";
    case WsFrameError::kBadUtf8: return "text message not UTF-8";
  }
  return "unknown";
}

std::size_t read_ws_header(const char* data, std::size_t size, WsFrameHeader& h) noexcept {
  if (size < 2) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::uint64_t len = p[1] & 0x7Fu;
  std::size_t header = 2;
  if (len == 126) {
    if (size < 4) return 0;
    len = (std::uint64_t{p[2]} << 8) | p[3];
    header = 4;
  } else if (len == 127) {
    if (size < 10) return 0;
    len = 0;
    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | p[i];
    header = 10;
  }
  h = WsFrameHeader{.payload_bytes = len,
                    .header_bytes = header,
                    .opcode = static_cast<std::uint8_t>(p[0] & 0x0Fu),
                    .fin = (p[0] & 0x80u) != 0,
                    .masked = (p[1] & 0x80u) != 0,
                    .reserved_bits = (p[0] & 0x70u) != 0};
  return header;
}

WsFrameEvent WsFrameDecoder::fail(WsFrameError e) noexcept {
  error_ = e;
  WsFrameEvent ev;
  ev.kind = WsFrameEvent::Kind::kError;
  ev.error = e;
  return ev;
}

WsFrameEvent WsFrameDecoder::next(const char* data, std::size_t size) {
  using Kind = WsFrameEvent::Kind;
  if (error_ != WsFrameError::kNone) return fail(error_);
  WsFrameEvent ev;
  if (size < 2) return ev;
  // Reserved and mask bits are in the first two bytes: refused before the length is even there.
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  if ((p[0] & 0x70u) != 0) return fail(WsFrameError::kReservedBits);
  if ((p[1] & 0x80u) != 0) return fail(WsFrameError::kMasked);
  WsFrameHeader h{};
  const std::size_t header = read_ws_header(data, size, h);
  if (header == 0) return ev;
  if (h.payload_bytes > max_) return fail(WsFrameError::kTooBig);
  if (size - header < h.payload_bytes) return ev;  // the rest of this frame is still on its way
  const auto len = static_cast<std::size_t>(h.payload_bytes);
  const std::string_view payload(data + header, len);
  ev.consumed = header + len;

  switch (static_cast<WsOpcode>(h.opcode)) {
    case WsOpcode::kText:
    case WsOpcode::kBinary: {
      if (in_message_) return fail(WsFrameError::kDataInMessage);
      const bool text = h.opcode == static_cast<std::uint8_t>(WsOpcode::kText);
      if (!h.fin) {
        in_message_ = true;
        message_text_ = text;
        message_.assign(payload);
        ev.kind = Kind::kFragment;
        return ev;
      }
      // A text message must be UTF-8 (RFC 6455 fails the connection otherwise); simdjson's checker
      // is a few bytes per nanosecond.
      if (text && !simdjson::validate_utf8(payload.data(), payload.size())) return fail(WsFrameError::kBadUtf8);
      ev.kind = Kind::kMessage;
      ev.payload = payload;
      ev.text = text;
      return ev;
    }
    case WsOpcode::kContinuation: {
      if (!in_message_) return fail(WsFrameError::kStrayContinuation);
      if (message_.size() + len > max_) return fail(WsFrameError::kTooBig);
      message_.append(payload);
      if (!h.fin) {
        ev.kind = Kind::kFragment;
        return ev;
      }
      in_message_ = false;
      const std::size_t n = message_.size();
      if (message_text_ && !simdjson::validate_utf8(message_.data(), n)) return fail(WsFrameError::kBadUtf8);
      // The padding the parser may read past the message: room in the string itself.
      message_.resize(n + kFramePadding);
      ev.kind = Kind::kMessage;
      ev.payload = std::string_view(message_.data(), n);
      ev.text = message_text_;
      return ev;
    }
    case WsOpcode::kClose:
    case WsOpcode::kPing:
    case WsOpcode::kPong:
      if (!h.fin) return fail(WsFrameError::kFragmentedControl);
      if (len > 125) return fail(WsFrameError::kLongControl);
      ev.payload = payload;
      if (h.opcode == static_cast<std::uint8_t>(WsOpcode::kPing)) {
        ev.kind = Kind::kPing;
      } else if (h.opcode == static_cast<std::uint8_t>(WsOpcode::kPong)) {
        ev.kind = Kind::kPong;
      } else {
        ev.kind = Kind::kClose;
        ev.close_code = len >= 2 ? static_cast<std::uint16_t>((std::uint16_t{p[header]} << 8) | p[header + 1]) : 1005;
      }
      return ev;
  }
  return fail(WsFrameError::kBadOpcode);
}

}  // namespace odte::feeds
