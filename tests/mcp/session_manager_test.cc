#include "bot/mcp/session_manager.h"

#include <gtest/gtest.h>

#include <set>

namespace datamcp::bot::mcp {
namespace {

using std::chrono::seconds;

TEST(SessionManagerTest, CreatesUnpredictableHexIds) {
  ManualClock clock;
  SessionManager m(
      clock,
      {.max_sessions = 1000, .max_sessions_per_subject = 1000, .idle_timeout = seconds(3600)});
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto s = m.Create("alice");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->id().size(), 64u);
    EXPECT_EQ((*s)->id().find_first_not_of("0123456789abcdef"), std::string::npos);
    ids.insert((*s)->id());
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(SessionManagerTest, FindsLiveSessionsAndForgetsRemovedOnes) {
  ManualClock clock;
  SessionManager m(clock, {});
  auto s = m.Create("alice").value();
  EXPECT_EQ(*m.Find(s->id()), s);
  EXPECT_EQ(*m.Find("unknown"), nullptr);
  auto flag = s->BeginRequest(7);
  EXPECT_TRUE(m.Remove(s->id()));
  EXPECT_TRUE(s->closed());
  EXPECT_TRUE(flag->load());  // ending a session cancels its requests
  EXPECT_EQ(*m.Find(s->id()), nullptr);
  EXPECT_FALSE(m.Remove(s->id()));
}

TEST(SessionManagerTest, ExpiresIdleSessionsButNotBusyOnes) {
  ManualClock clock;
  SessionManager m(
      clock, {.max_sessions = 10, .max_sessions_per_subject = 10, .idle_timeout = seconds(60)});
  auto idle = m.Create("a").value();
  auto busy = m.Create("b").value();
  auto used = m.Create("c").value();
  busy->BeginRequest("r1");
  clock.Advance(seconds(40));
  EXPECT_NE(*m.Find(used->id()), nullptr);  // refreshes its timer
  clock.Advance(seconds(30));
  EXPECT_EQ(*m.Find(idle->id()), nullptr);
  EXPECT_TRUE(idle->closed());
  EXPECT_NE(*m.Find(busy->id()), nullptr);
  EXPECT_NE(*m.Find(used->id()), nullptr);
}

TEST(SessionManagerTest, BoundsTheNumberOfSessions) {
  ManualClock clock;
  SessionManager m(clock,
                   {.max_sessions = 2, .max_sessions_per_subject = 2, .idle_timeout = seconds(60)});
  ASSERT_TRUE(m.Create("a").ok());
  ASSERT_TRUE(m.Create("b").ok());
  auto third = m.Create("c");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  clock.Advance(seconds(61));
  EXPECT_TRUE(m.Create("c").ok());  // expired ones make room
  EXPECT_EQ(m.size(), 1u);
}

TEST(SessionManagerTest, BoundsSessionsPerSubject) {
  ManualClock clock;
  SessionManager m(
      clock, {.max_sessions = 10, .max_sessions_per_subject = 2, .idle_timeout = seconds(60)});
  ASSERT_TRUE(m.Create("greedy").ok());
  ASSERT_TRUE(m.Create("greedy").ok());
  auto third = m.Create("greedy");
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.status().message().find("greedy already has 2"), std::string::npos);
  EXPECT_TRUE(m.Create("someone-else").ok());
}

TEST(SessionTest, OneStandaloneStreamAndMessagesOnlyWhileAttached) {
  Session s("id", "alice");
  s.PushStandalone({{"dropped", true}});
  ASSERT_TRUE(s.AttachStream());
  EXPECT_FALSE(s.AttachStream());
  s.PushStandalone({{"n", 1}});
  std::vector<nlohmann::json> got;
  s.WaitStandalone(std::chrono::milliseconds(0), &got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["n"], 1);
  s.DetachStream();
  EXPECT_TRUE(s.AttachStream());
}

}  // namespace
}  // namespace datamcp::bot::mcp
