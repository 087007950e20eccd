#pragma once

// The operator's log of the trading day: one info line per order, acknowledgement, fill, reject,
// cancel, risk refusal, kill switch, pause, flatten, strategy toggle, limits change,
// reconciliation, settlement and session step, each naming the strategy and every leg's symbol,
// side, quantity and price -- made from the journal records, so the log says exactly what the
// journal holds.
//
// It is a JournalObserver: it runs where the journal is written (the journal thread live; the
// core thread in a replay, which writes its journal synchronously anyway), never on the live core
// thread, and hands finished lines to spdlog's asynchronous logger. A fill's line waits for the
// legs the engine booked right after its report (book_fill records) so it can carry their prices;
// it goes out with the next record that is not one of them, or at flush().

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/journal/journal.hpp"
#include "odte/daemon/journal_json.hpp"

namespace odte::daemon {

// "14:05:09": New York wall-clock time of a Unix ns timestamp.
[[nodiscard]] std::string new_york_time(TimestampNs ns);

// One human line for a record ("" for records not logged: marks, history, instruments, booked
// legs of an execution, status requests). `names` must have learned every earlier record.
[[nodiscard]] std::string journal_record_line(JournalRecordType type, std::span<const std::byte> payload,
                                              const JournalNames& names);

class EventLog final : public JournalObserver {
 public:
  using Sink = std::function<void(std::string_view line)>;
  // `sink` receives each line (default: spdlog::info); `registry` (the run's) names instruments
  // the journal has not named yet.
  explicit EventLog(std::vector<std::string> strategy_names, Sink sink = {}, const InstrumentRegistry* registry = nullptr);
  ~EventLog() override;

  void on_record(JournalRecordType type, std::span<const std::byte> payload) noexcept override;
  // A record from before this process (a restart's journal, a resumed replay): learned, not logged.
  void on_existing_record(JournalRecordType type, std::span<const std::byte> payload) noexcept override;
  // Sends a fill line still waiting for booked legs.
  void flush() noexcept;
  [[nodiscard]] std::uint64_t lines() const noexcept { return lines_; }

 private:
  void emit(const std::string& line) noexcept;
  JournalNames names_;
  Sink sink_;
  std::string pending_;     // a fill line collecting its booked legs
  std::string pending_legs_;
  std::uint64_t pending_order_ = 0;
  std::uint64_t lines_ = 0;
};

}  // namespace odte::daemon
