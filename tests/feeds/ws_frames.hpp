#pragma once
// Server-to-client websocket frames written byte by byte for the framing tests (test_ws_frame.cpp
// on the decoder alone, test_ws_framing.cpp through WsClient against a scripted peer).

#include <string>
#include <string_view>

namespace odte::feeds::test_support {

enum class LengthForm { kShortest, k16, k64 };

// One unmasked frame: `first_byte` (FIN, RSV, opcode), then the length in the form asked (the
// shortest one by default; a longer form is legal on the wire), then the payload.
inline std::string server_frame(unsigned first_byte, std::string_view payload, LengthForm form = LengthForm::kShortest) {
  std::string f(1, static_cast<char>(first_byte));
  if (form == LengthForm::kShortest) {
    form = payload.size() < 126 ? LengthForm::kShortest : payload.size() <= 0xFFFF ? LengthForm::k16 : LengthForm::k64;
  }
  if (form == LengthForm::kShortest) {
    f += static_cast<char>(payload.size());
  } else if (form == LengthForm::k16) {
    f += static_cast<char>(126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) f += static_cast<char>((payload.size() >> shift) & 0xFF);
  }
  f += payload;
  return f;
}

}  // namespace odte::feeds::test_support
