#include "odte/daemon/render.hpp"

#include <gtest/gtest.h>

namespace odte::admin {
namespace {

TEST(RenderTest, shouldPrintListsAsAlignedTables) {
  bool ok = false;
  const std::string out = render_human(
      R"({"ok":true,"cmd":"positions","result":[{"symbol":"O:SPY260821C00500000","quantity":-2},{"symbol":"SPY","quantity":100}]})",
      ok);
  EXPECT_TRUE(ok);
  // Columns in the daemon's order (a fixed order, not sorted).
  EXPECT_EQ(out,
            "SYMBOL                QUANTITY\n"
            "O:SPY260821C00500000  -2\n"
            "SPY                   100\n");
}

TEST(RenderTest, shouldPrintObjectsAsDottedKeyValues) {
  bool ok = false;
  const std::string out =
      render_human(R"({"ok":true,"cmd":"status","result":{"state":"running","killed":false,"pnl":{"net":-52.7}}})", ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(out,
            "state    running\n"
            "killed   no\n"
            "pnl.net  -52.7\n");
}

TEST(RenderTest, shouldAppendTablesForListsInsideObjects) {
  bool ok = false;
  const std::string out = render_human(
      R"({"ok":true,"cmd":"pnl","result":{"strategies":[{"strategy":"regime","net":12.5}],"total":{"net":12.5}}})", ok);
  EXPECT_NE(out.find("strategies  1 rows\n"), std::string::npos) << out;
  EXPECT_NE(out.find("strategies:\nSTRATEGY  NET\nregime    12.5\n"), std::string::npos) << out;
}

TEST(RenderTest, shouldReportErrorsAndNonJsonRepliesAsFailures) {
  bool ok = true;
  EXPECT_EQ(render_human(R"({"ok":false,"error":"unknown command \"x\""})", ok), "error: unknown command \"x\"\n");
  EXPECT_FALSE(ok);
  ok = true;
  EXPECT_EQ(render_human("garbage", ok), "garbage\n");
  EXPECT_FALSE(ok);
  EXPECT_EQ(render_human(R"({"ok":true,"cmd":"orders","result":[]})", ok), "(none)\n");
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace odte::admin
