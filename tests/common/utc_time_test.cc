#include "gitops/common/utc_time.h"

#include <gtest/gtest.h>

namespace datamcp {
namespace {

TEST(UtcTimeTest, FormatsUnixSecondsAsIso8601) {
  EXPECT_EQ(FormatUtcIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtcIso8601(1468275250), "2016-07-11T22:14:10Z");
}

TEST(UtcTimeTest, FormatsMilliseconds) {
  std::chrono::system_clock::time_point t(std::chrono::milliseconds(1468275250007LL));
  EXPECT_EQ(FormatUtcIso8601Millis(t), "2016-07-11T22:14:10.007Z");
}

TEST(UtcTimeTest, ParsesWhatItFormats) {
  EXPECT_EQ(ParseUtcIso8601("2016-07-11T22:14:10Z").value(), 1468275250);
  for (long long t : {0LL, 951782400LL, 1700000000LL, 4102444799LL}) {
    EXPECT_EQ(ParseUtcIso8601(FormatUtcIso8601(t)).value(), t);
  }
}

TEST(UtcTimeTest, RejectsOtherFormsAndImpossibleDates) {
  for (const char* text :
       {"2016-07-11 22:14", "2016-07-11T22:14:10", "2016-07-11T22:14:10+00:00",
        "2016-07-11T22:14:10Zx", "2016-13-01T00:00:00Z", "2016-02-30T00:00:00Z",
        "2015-02-29T00:00:00Z", "2016-07-11T24:00:00Z", "2016-07-11T22:60:00Z", "", "2016-7-11"}) {
    auto r = ParseUtcIso8601(text);
    EXPECT_FALSE(r.ok()) << text;
  }
  EXPECT_NE(ParseUtcIso8601("yesterday").status().message().find("2016-07-11T22:14:10Z"),
            std::string::npos);
}

TEST(UtcTimeTest, ParsesADayOrATime) {
  EXPECT_EQ(ParseUtcDateOrTime("2016-07-11").value(), 1468195200);
  EXPECT_EQ(ParseUtcDateOrTime("2024-02-29").value(), 1709164800);
  EXPECT_EQ(ParseUtcDateOrTime("2016-07-11T22:14:10Z").value(), 1468275250);
  EXPECT_FALSE(ParseUtcDateOrTime("2016-07-11T").ok());
  EXPECT_FALSE(ParseUtcDateOrTime("2023-02-29").ok());
  EXPECT_FALSE(ParseUtcDateOrTime("11/07/2016").ok());
}

}  // namespace
}  // namespace datamcp
