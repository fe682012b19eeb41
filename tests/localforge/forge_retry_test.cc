#include <gtest/gtest.h>

#include "gitops/localforge/forge_ref.h"

namespace datamcp::localforge {
namespace {

TEST(ForgeRetryTest, ReadsAgainAfterALostRaceAndReturnsWhatLands) {
  int calls = 0;
  Result<int> r = RetryForgeWrite("write", [&]() -> std::optional<Result<int>> {
    if (++calls < 3) return std::nullopt;  // two lost races, then the write lands
    return 42;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 3);
}

TEST(ForgeRetryTest, GivesUpAfterTheBoundNamingWhatItTried) {
  int calls = 0;
  Status s = RetryForgeWrite("open the pull request", [&]() -> std::optional<Status> {
    ++calls;
    return std::nullopt;
  });
  EXPECT_EQ(calls, kMaxForgeWriteAttempts);
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.message(), "could not open the pull request: the forge ref kept moving; retry");
}

// A Conflict of the attempt's own (a pull request that cannot merge, say) is its answer, not a
// lost race: it is returned at once, unchanged.
TEST(ForgeRetryTest, AnAttemptsOwnErrorEndsTheLoopAtOnce) {
  int calls = 0;
  Result<int> r = RetryForgeWrite("update", [&]() -> std::optional<Result<int>> {
    ++calls;
    return Conflict("pull request #3 is already merged");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.status().message(), "pull request #3 is already merged");
}

TEST(ForgeRetryTest, OnlyConflictFromTheWriteIsALostRace) {
  EXPECT_TRUE(LostRace(Conflict("ref moved")));
  EXPECT_FALSE(LostRace(Status::Ok()));
  EXPECT_FALSE(LostRace(Unavailable("disk")));
}

}  // namespace
}  // namespace datamcp::localforge
