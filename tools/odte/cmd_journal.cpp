// odte journal FILE: prints a write-ahead journal as JSON lines, one record per line.

#include <cstdio>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/daemon/journal_json.hpp"

namespace odte::tool {

int run_journal(int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    std::fputs(
        "usage: odte journal FILE\n"
        "\n"
        "Prints every record of an odted write-ahead journal as one JSON object per line\n"
        "(intents with their risk decision, order commands, execution reports, kill switch,\n"
        "pause, limits), strategies and instruments by name (from the journal's own\n"
        "account and instrument records). A torn last record is reported on stderr and skipped; a corrupt\n"
        "journal stops with the offset and exit status 1.\n",
        argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  JournalReader reader;
  const JournalScan scan = reader.read(argv[1]);
  if (scan.status != JournalStatus::kOk) {
    std::fprintf(stderr, "odte journal: %s\n", scan.error.c_str());
    return 1;
  }
  // Names from the journal itself: the account record names the strategies, instrument records
  // the legs' instruments (each before its first use).
  daemon::JournalNames names;
  // First every name the journal holds (an intent comes before the instrument records its order
  // writes), then every record in order, each re-learned where it stands.
  for (const JournalRecord& r : scan.records) {
    if (r.type == JournalRecordType::kInstrument || r.type == JournalRecordType::kAccount) names.learn(r);
  }
  for (const JournalRecord& r : scan.records) {
    names.learn(r);
    std::puts(daemon::journal_record_json(r, &names).c_str());
  }
  if (scan.torn_tail_bytes > 0) {
    std::fprintf(stderr, "odte journal: ignored a torn last record (%llu bytes) after record %zu\n",
                 static_cast<unsigned long long>(scan.torn_tail_bytes), scan.records.size());
  }
  return 0;
}

}  // namespace odte::tool
