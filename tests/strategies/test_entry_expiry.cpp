// Every strategy's entry orders have a time in force (config `entry_expires`): by default its own
// entry deadline, "day" for none, or a time; anything else is refused naming the key.

#include <gtest/gtest.h>

#include <string>

#include "odte/strategies/factory.hpp"

namespace odte::strategies {
namespace {

TEST(EntryExpiryTest, shouldExpireEveryStrategysEntryAtItsOwnDeadlineByDefault) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    const auto s = make_strategy(name, "entry_time = \"10:00\"\nentry_deadline = \"10:20\"\n", 0, "test");
    EXPECT_EQ(s->entry_deadline_minute(), 10 * 60 + 20);
    EXPECT_EQ(s->entry_expiry_minute(), 10 * 60 + 20);
    EXPECT_EQ(make_strategy(name, "entry_expires = \"deadline\"\n", 0, "test")->entry_expiry_minute(),
              make_strategy(name, "", 0, "test")->entry_deadline_minute());
    EXPECT_EQ(make_strategy(name, "entry_expires = \"day\"\n", 0, "test")->entry_expiry_minute(), -1);
    EXPECT_EQ(make_strategy(name, "entry_expires = \"11:05\"\n", 0, "test")->entry_expiry_minute(), 11 * 60 + 5);
  }
}

TEST(EntryExpiryTest, shouldRefuseAnEntryExpiryThatIsNeitherAWordNorATimeNamingTheKey) {
  for (const char* bad : {"entry_expires = \"gtc\"\n", "entry_expires = 1030\n", "entry_expires = \"25:00\"\n"}) {
    SCOPED_TRACE(bad);
    try {
      (void)make_strategy("vix1d_credit_spread", bad, 0, "odted.toml");
      ADD_FAILURE() << "accepted";
    } catch (const StrategyConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("odted.toml: strategy \"vix1d_credit_spread\".params.entry_expires: must be"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace odte::strategies
