#pragma once

// The server-to-client half of RFC 6455 framing (client side, no extensions), over bytes only: no
// socket, no Beast. WsClient reads into its buffer and asks a WsFrameDecoder for one frame at a time
// at the front of the bytes it has not consumed yet; the fuzzer (tests/feeds/fuzz_ws_framing.cpp)
// drives the same decoder with any bytes, split anywhere.
//
// Rules: a server frame is unmasked with no reserved bits; a control frame (close, ping, pong) is
// whole (FIN) and at most 125 bytes; a fragmented message is a text or binary frame without FIN,
// then continuations up to one with FIN, with only control frames between; a text message is UTF-8;
// a frame, and a message put together from fragments, is at most max_message_bytes. A broken rule
// is reported as a WsFrameError. Frames are not required to use the shortest length form, the 64-bit
// length's top bit is not checked (any such length is over max_message_bytes anyway), and close
// codes are handed out as received.
//
// Checks happen as early as the bytes allow: reserved bits and the mask bit once the first two
// bytes are in, the length limit once the length is, the rest once the whole frame is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace odte::feeds {

// Readable bytes after every message handed out (== FrameParser's kPadding), so the parser can read
// it in place. The decoder provides them for messages it puts together; for a message in one frame
// they are the caller's (its receive buffer must have them after its last byte).
inline constexpr std::size_t kFramePadding = 64;

enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA
};

enum class WsFrameError : std::uint8_t {
  kNone,
  kReservedBits,       // RSV1-3 set: no extension was negotiated
  kMasked,             // a server never masks
  kTooBig,             // a frame or a put-together message over max_message_bytes
  kBadOpcode,          // one of the reserved opcodes
  kDataInMessage,      // a text or binary frame while a fragmented message is unfinished
  kStrayContinuation,  // a continuation with no fragmented message under way
  kFragmentedControl,  // a control frame without FIN
  kLongControl,        // a control frame over 125 bytes
  kBadUtf8,            // a text message that is not UTF-8
};
[[nodiscard]] std::string_view to_string(WsFrameError e) noexcept;

struct WsFrameHeader {
  std::uint64_t payload_bytes;
  std::size_t header_bytes;  // 2, 4 or 10
  std::uint8_t opcode;       // raw, may be a reserved one
  bool fin;
  bool masked;
  bool reserved_bits;
};

// The header at the front of [data, data + size): its length (2, 4 or 10) with `h` filled in, or 0
// when fewer bytes than the whole header are there. Reads at most the header's bytes.
[[nodiscard]] std::size_t read_ws_header(const char* data, std::size_t size, WsFrameHeader& h) noexcept;

struct WsFrameEvent {
  enum class Kind : std::uint8_t {
    kNeedMore,  // the frame at the front is not all there yet; nothing consumed
    kFragment,  // a part of a fragmented message, kept by the decoder; nothing to hand out
    kMessage,   // a whole text or binary message: `payload`, `text`
    kPing,
    kPong,
    kClose,     // `payload` as received (a 2-byte code, then a reason), `close_code` read from it
    kError,     // `error`; nothing consumed
  };
  Kind kind = Kind::kNeedMore;
  std::size_t consumed = 0;  // bytes of this frame (header and payload); 0 for kNeedMore and kError
  std::string_view payload;  // kMessage, kPing, kPong, kClose
  bool text = false;         // kMessage: a text (not binary) message
  std::uint16_t close_code = 0;  // kClose: 1005 (none given) when the payload is shorter than 2
  WsFrameError error = WsFrameError::kNone;
};

// One per connection, on its thread. State: whether a fragmented message is under way (and its
// bytes so far), and a sticky error: once next() has reported one it reports it on every call (the
// connection must go).
class WsFrameDecoder {
 public:
  explicit WsFrameDecoder(std::size_t max_message_bytes) noexcept : max_{max_message_bytes} {}

  // The frame at the front of [data, data + size), which are the caller's bytes not consumed yet.
  // Reads no byte outside them. The caller skips `consumed` bytes before the next call.
  // `payload` points into the caller's bytes, or for a message put together from fragments into the
  // decoder (followed by kFramePadding readable bytes there); valid until the next call.
  [[nodiscard]] WsFrameEvent next(const char* data, std::size_t size);

  [[nodiscard]] bool in_message() const noexcept { return in_message_; }
  [[nodiscard]] WsFrameError error() const noexcept { return error_; }
  [[nodiscard]] std::size_t max_message_bytes() const noexcept { return max_; }

 private:
  WsFrameEvent fail(WsFrameError e) noexcept;

  std::size_t max_;
  std::string message_;  // a fragmented message being put together (rare)
  bool in_message_ = false;
  bool message_text_ = false;
  WsFrameError error_ = WsFrameError::kNone;
};

}  // namespace odte::feeds
