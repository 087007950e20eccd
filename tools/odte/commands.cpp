#include "commands.hpp"

#include <array>

namespace odte::tool {

int run_backtest(int argc, char** argv);
int run_calc(int argc, char** argv);
int run_cjs(int argc, char** argv);
int run_decode(int argc, char** argv);
int run_import(int argc, char** argv);
int run_journal(int argc, char** argv);
int run_record(int argc, char** argv);
int run_replay_server(int argc, char** argv);
int run_report(int argc, char** argv);

std::span<const Command> commands() noexcept {
  // Keep sorted by name; `odte --help` prints them in this order.
  static const std::array kCommands{
      Command{"backtest", "replay many days x parameter sets through odted in parallel; one ranked report", &run_backtest},
      Command{"calc", "options math: price, greeks, iv, forward, varswap, calendar, symbol (JSON)", &run_calc},
      Command{"cjs", "seed 003: leverage-adjusted option portfolio returns from end-of-day option panels", &run_cjs},
      Command{"decode", "print the market events of a recording or of raw frames as JSON lines", &run_decode},
      Command{"import", "convert vendor history and the shared data sets into a recording", &run_import},
      Command{"journal", "print an odted journal as JSON lines", &run_journal},
      Command{"record", "record the Massive websocket feed (raw frames, receive times) into a recording", &run_record},
      Command{"replay-server", "serve a recording over the Massive websocket protocol on loopback", &run_replay_server},
      Command{"report", "write the run report (JSON, CSV, HTML) of journals; compare runs", &run_report},
  };
  return kCommands;
}

}  // namespace odte::tool
