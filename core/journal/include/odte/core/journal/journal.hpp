#pragma once

// Write-ahead journal: an append-only file of typed, checksummed records. What must survive a
// crash (order intents before they are sent, acks, fills, cancels, risk state, the kill switch)
// is appended here; on start the journal is read back to rebuild orders, positions and risk state
// before the broker is asked for its view.
//
// File layout (little-endian, documented in docs/journal-format.md):
//   header  : "ODTEJNL\0" magic, u32 version, u32 header size (32), i32 trading day, u32 reserved,
//             i64 created ns
//   record  : u32 payload length, u16 type, u16 reserved, u64 sequence, u32 crc32c, u32 reserved,
//             then the payload. The CRC covers type, sequence and payload.
// A crash can leave a partial last record: the reader stops at it and reports how many bytes it
// ignored (a torn tail is expected after kill -9). A complete record whose CRC does not match, or
// a sequence that does not follow, is corruption: the reader stops with an error and the daemon
// refuses to trade on it ("corrupt data is worse than no data").
//
// Not for the hot path: JournalWriter makes system calls. The daemon runs it on the journal
// thread; the core hands it records through a ring.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <cstring>
#include <system_error>
#include <type_traits>
#include <vector>

namespace odte {

enum class JournalRecordType : std::uint16_t {
  kSessionStart = 1,   // payload: JournalSessionStart
  kIntent = 2,         // Intent plus risk decision
  kOrderCommand = 3,   // OrderCommand, written before the command is sent
  kExecReport = 4,     // ExecutionReport as received
  kRiskLimits = 5,     // RiskLimits + ExitRules in force
  kKillSwitch = 6,     // JournalFlag
  kPause = 7,          // JournalFlag
  kStrategyEnabled = 8,
  kReconciliation = 9, // JournalReconciliation: result of comparing journal and broker
  kSessionEnd = 10,
  kBookFill = 11,      // JournalFill: a leg booked into the position book
  kMark = 12,          // JournalMark: account P&L once a minute
  kInstrument = 13,    // JournalInstrument: what an in-process instrument id names (restart recovery)
  kFlatten = 14,       // JournalFlatten: the operator's flatten, before the orders it sends
  kSettlement = 15,    // JournalSettlement: the value expiring options settled against at the close
  kHistory = 16,       // one line of SessionHistory::to_text (no newline), in order, before the session
  kVarianceSwap = 17,  // JournalVarianceSwap: seed 004's day record (implied forward, variance swap rates)
  kAccount = 18,       // JournalAccount: the day's equity (from the broker) and the strategies' names
};

// 3: instrument and reconciliation records (docs/journal-format.md). Later additions that old
// journals read correctly keep the version: the flatten (type 14), settlement (type 15), history (16) and
// variance swap (17) records, book_fill's
// settlement byte and order_command's cancel reason (both were padding, always 0).
inline constexpr std::uint32_t kJournalVersion = 3;
inline constexpr std::size_t kJournalHeaderSize = 32;
inline constexpr std::size_t kJournalRecordHeaderSize = 24;
inline constexpr std::uint32_t kJournalMaxPayload = 1u << 20;

// Sees every record a journal takes, in order (the daemon's event log: one line per order, fill,
// refusal...). Called on whichever thread writes the journal -- the journal thread live, the core
// thread in a replay, which writes synchronously -- never on the live core thread.
class JournalObserver {
 public:
  virtual ~JournalObserver() = default;
  virtual void on_record(JournalRecordType type, std::span<const std::byte> payload) noexcept = 0;
  // A record the journal already held when this process started (a restart, a resumed replay),
  // in order, before any on_record.
  virtual void on_existing_record(JournalRecordType type, std::span<const std::byte> payload) noexcept {
    (void)type;
    (void)payload;
  }
};

struct JournalFlag {
  std::uint8_t on;
  std::uint8_t flatten;
  std::uint16_t strategy;
  std::uint32_t after_ticks;   // timer ticks the core had run since the last of those events
  std::int64_t at_ns;
  std::uint64_t after_events;  // market events the core had applied when the change took effect
};

// The operator's flatten (admin socket `flatten`): who asked and when, journaled before the
// cancels and closing orders it sends (their intents carry the reason "operator:flatten"), so a
// restart re-applies it at the same point and the report shows it.
struct JournalFlatten {
  std::int64_t at_ns;
  std::uint64_t after_events;  // market events the core had applied when it took effect
  std::uint32_t peer_uid;      // the admin socket peer (SO_PEERCRED); 0 with peer_pid 0: not known
  std::int32_t peer_pid;
  std::uint32_t open_positions;   // what there was to close: positions with open contracts or shares
  std::uint32_t working_orders;   // and orders working (the opening ones are cancelled)
  std::uint32_t after_ticks;      // timer ticks run since the last of those events (a paced replay's gap)
  std::uint32_t reserved;         // 0
};
static_assert(sizeof(JournalFlatten) == 40, "docs/journal-format.md gives the flatten payload as 40 bytes");

[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t seed = 0) noexcept;

class JournalWriter {
 public:
  JournalWriter() = default;
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  ~JournalWriter();

  // Opens `path` for appending, creating it (with header) if absent. An existing journal is
  // scanned to continue its sequence; a torn tail is truncated away first, corruption is refused.
  [[nodiscard]] std::error_code open(const std::string& path, std::int32_t trading_day, std::int64_t now_ns);
  // Appends one record (one write(2) call). durable = fdatasync before returning.
  [[nodiscard]] std::error_code append(JournalRecordType type, std::span<const std::byte> payload, bool durable);
  // Batching: stage() encodes a record into the writer's buffer and gives it the next sequence (no
  // system call); write_staged() writes every staged record with one write(2), then fdatasync when
  // durable. append() is stage() + write_staged(), so the file holds the same bytes either way. A
  // failed write_staged() takes the staged sequences back (the file may then end in a torn tail).
  [[nodiscard]] std::error_code stage(JournalRecordType type, std::span<const std::byte> payload);
  [[nodiscard]] std::error_code write_staged(bool durable);
  [[nodiscard]] std::size_t staged_bytes() const noexcept { return buf_.size(); }
  // Sizes the staging buffer once, so staging up to `bytes` never allocates.
  void reserve(std::size_t bytes) { buf_.reserve(bytes); }
  template <typename T>
  [[nodiscard]] std::error_code append_pod(JournalRecordType type, const T& value, bool durable) {
    static_assert(std::is_trivially_copyable_v<T>);
    return append(type, std::as_bytes(std::span<const T>(&value, 1)), durable);
  }
  [[nodiscard]] std::error_code sync();
  void close();

  [[nodiscard]] std::uint64_t next_sequence() const noexcept { return next_seq_; }
  [[nodiscard]] std::uint64_t truncated_bytes() const noexcept { return truncated_; }

 private:
  int fd_ = -1;
  std::uint64_t next_seq_ = 1;
  std::uint64_t truncated_ = 0;
  std::uint64_t staged_from_ = 1;  // next_seq_ before the first staged record
  std::vector<std::byte> buf_;
};

struct JournalRecord {
  JournalRecordType type;
  std::uint64_t sequence;
  std::uint64_t offset;             // file offset of the record header
  std::span<const std::byte> payload;  // valid until the reader is destroyed

  template <typename T>
  [[nodiscard]] bool read_pod(T& out) const noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    if (payload.size() != sizeof(T)) return false;
    std::memcpy(&out, payload.data(), sizeof(T));
    return true;
  }
};

enum class JournalStatus : std::uint8_t {
  kOk = 1,
  kMissing,          // no such file (a first start)
  kIoError,
  kBadHeader,        // not a journal, or another version
  kCorrupt,          // a complete record with a bad CRC, bad length or out-of-order sequence
};
[[nodiscard]] const char* to_string(JournalStatus) noexcept;

struct JournalScan {
  JournalStatus status = JournalStatus::kOk;
  std::string error;                // what and where, for the operator
  std::int32_t trading_day = 0;
  std::int64_t created_ns = 0;
  std::vector<JournalRecord> records;
  std::uint64_t valid_bytes = 0;    // header + whole records
  std::uint64_t torn_tail_bytes = 0;  // partial last record ignored
};

// Reads a whole journal into memory (journals hold one trading day: small).
class JournalReader {
 public:
  [[nodiscard]] JournalScan read(const std::string& path);

 private:
  std::vector<std::byte> data_;
};

}  // namespace odte
