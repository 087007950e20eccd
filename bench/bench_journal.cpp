// What the write-ahead journal's durability costs on this machine's disk: one order command
// record (88-byte payload, as CommandGate journals it) appended with write(2) alone, and with
// write(2) + fdatasync: what every command waits for under `[journal] durability =
// "sync_before_send"` (under "send_then_sync" it waits for neither: it leaves before the write).
// The peer is the no-sync write in the same run; the ratio is the price
// of the disk sync. The file lives in $ODTE_BENCH_DIR (default: the working directory), which
// must be on the disk the journal would use: tmpfs makes fdatasync free.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "odte/core/engine/orders.hpp"
#include "odte/core/journal/journal.hpp"

namespace {

using namespace odte;

std::string journal_path(const char* name) {
  const char* dir = std::getenv("ODTE_BENCH_DIR");
  return (std::filesystem::path(dir != nullptr && *dir != '\0' ? dir : ".") / name).string();
}

void BM_JournalAppend(benchmark::State& state, bool sync) {
  const std::string path = journal_path(sync ? "bench-journal-sync.odj" : "bench-journal-write.odj");
  std::filesystem::remove(path);
  JournalWriter w;
  if (const auto ec = w.open(path, 20260821, 1)) {
    state.SkipWithError(("cannot open " + path + ": " + ec.message()).c_str());
    return;
  }
  w.reserve(4096);
  OrderCommand c;
  std::memset(static_cast<void*>(&c), 0, sizeof c);
  c.kind = CommandKind::kNew;
  c.quantity = 1;
  std::uint32_t seq = 1;
  for (auto _ : state) {
    c.id = ClientOrderId::make(20260821, seq++);
    if (const auto ec = w.append_pod(JournalRecordType::kOrderCommand, c, sync)) {
      state.SkipWithError(ec.message().c_str());
      break;
    }
  }
  w.close();
  std::filesystem::remove(path);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK_CAPTURE(BM_JournalAppend, write, false)->Name("journal/order_command/write")->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_JournalAppend, fdatasync, true)->Name("journal/order_command/write_fdatasync")->UseRealTime()->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
