#include "gitops/queue/delivery_dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "tests/support/state_db.h"
#include "tests/webhooks/recording_handler.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::queue {
namespace {

using std::chrono::milliseconds;
using testing::RecordingHandler;
using testing::WaitFor;

Delivery MakeDelivery(const std::string& id) {
  return Delivery{id, "push", "", "datamcp-test/gitops", 1, "{\"ref\":\"" + id + "\"}"};
}

class DeliveryDispatcherTest : public ::testing::Test {
 protected:
  // The store on the state database in dir_; opening it again is a restart.
  struct OpenedStore {
    std::unique_ptr<state::Database> db;
    std::unique_ptr<DeliveryStore> store;
    DeliveryStore* operator->() { return store.get(); }
    DeliveryStore& operator*() { return *store; }
  };
  OpenedStore OpenStore() {
    OpenedStore out{test::OpenSqliteState(dir_.path()), nullptr};
    out.store = std::make_unique<DeliveryStore>(*out.db, SystemClock::Instance());
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(DeliveryDispatcherTest, HandlesEachDeliveryOnceInArrivalOrderAndMarksItDone) {
  auto store = OpenStore();
  RecordingHandler handler;
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance());
  dispatcher.Start();
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(store->Append(MakeDelivery(id)).ok());
  ASSERT_TRUE(store->Append(MakeDelivery("a")).ok());  // duplicate: not handled again
  ASSERT_TRUE(WaitFor([&] {
    return test::ValueOrFail(store->PendingIds()).empty() && handler.order().size() == 3;
  }));
  dispatcher.Stop();
  EXPECT_EQ(handler.order(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(handler.body("b"), "{\"ref\":\"b\"}");
  EXPECT_EQ(dispatcher.handled(), 3u);
}

TEST_F(DeliveryDispatcherTest, ReplaysDeliveriesLeftPendingBeforeRestart) {
  {
    auto store = OpenStore();
    for (const char* id : {"a", "b"}) ASSERT_TRUE(store->Append(MakeDelivery(id)).ok());
  }
  auto store = OpenStore();
  RecordingHandler handler;
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance());
  dispatcher.Start();
  ASSERT_TRUE(WaitFor([&] { return test::ValueOrFail(store->PendingIds()).empty(); }));
  dispatcher.Stop();
  EXPECT_EQ(handler.order(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(DeliveryDispatcherTest, RetriesFailedDeliveryUntilItSucceeds) {
  auto store = OpenStore();
  RecordingHandler handler(/*failures_per_id=*/2);
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance(),
                                {.retry_delay = milliseconds(5), .max_attempts = 5});
  dispatcher.Start();
  ASSERT_TRUE(store->Append(MakeDelivery("a")).ok());
  ASSERT_TRUE(WaitFor([&] { return test::ValueOrFail(store->PendingIds()).empty(); }));
  dispatcher.Stop();
  EXPECT_EQ(handler.calls("a"), 3);
  EXPECT_EQ(dispatcher.failed(), 2u);
  EXPECT_EQ(dispatcher.handled(), 1u);
}

TEST_F(DeliveryDispatcherTest, GivesUpAfterMaxAttemptsAndMarksDone) {
  auto store = OpenStore();
  RecordingHandler handler(/*failures_per_id=*/100);
  DeliveryDispatcher dispatcher(
      *store, handler, SystemClock::Instance(),
      {.retry_delay = milliseconds(1), .max_attempts = 3, .unavailable_patience = milliseconds(0)});
  dispatcher.Start();
  ASSERT_TRUE(store->Append(MakeDelivery("a")).ok());
  ASSERT_TRUE(WaitFor([&] { return test::ValueOrFail(store->PendingIds()).empty(); }));
  dispatcher.Stop();
  EXPECT_EQ(handler.calls("a"), 3);
  EXPECT_TRUE(handler.order().empty());
}

TEST_F(DeliveryDispatcherTest, OutageLongerThanMaxAttemptsLosesNothing) {
  // The handler's dependency is down for ten attempts, more than max_attempts: the delivery
  // is still handled once it is back, because Unavailable failures wait out the patience.
  auto store = OpenStore();
  RecordingHandler handler(/*failures_per_id=*/10);
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance(),
                                {.retry_delay = milliseconds(1),
                                 .max_retry_delay = milliseconds(2),
                                 .max_attempts = 3,
                                 .unavailable_patience = std::chrono::hours(1)});
  dispatcher.Start();
  ASSERT_TRUE(store->Append(MakeDelivery("a")).ok());
  ASSERT_TRUE(WaitFor([&] { return test::ValueOrFail(store->PendingIds()).empty(); }));
  dispatcher.Stop();
  EXPECT_EQ(handler.calls("a"), 11);
  EXPECT_EQ(handler.order(), (std::vector<std::string>{"a"}));
}

class ThrowingHandler : public DeliveryHandler {
 public:
  Status Handle(const Delivery& d) override {
    ++calls;
    if (d.id == "poison") throw std::runtime_error("type_error: number is a string");
    return Status::Ok();
  }
  std::atomic<int> calls{0};
};

TEST_F(DeliveryDispatcherTest, HandlerThatThrowsIsAFailedAttemptNotACrash) {
  auto store = OpenStore();
  ThrowingHandler handler;
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance(),
                                {.retry_delay = milliseconds(1), .max_attempts = 2});
  dispatcher.Start();
  ASSERT_TRUE(store->Append(MakeDelivery("poison")).ok());
  ASSERT_TRUE(store->Append(MakeDelivery("fine")).ok());
  ASSERT_TRUE(WaitFor([&] { return test::ValueOrFail(store->PendingIds()).empty(); }));
  dispatcher.Stop();
  EXPECT_EQ(handler.calls.load(), 3);  // poison twice (then given up), fine once
  EXPECT_EQ(dispatcher.failed(), 2u);
  EXPECT_EQ(dispatcher.handled(), 1u);
}

TEST_F(DeliveryDispatcherTest, StopReturnsPromptlyWhenIdle) {
  auto store = OpenStore();
  RecordingHandler handler;
  DeliveryDispatcher dispatcher(*store, handler, SystemClock::Instance(),
                                {.idle_wait = std::chrono::milliseconds(60'000)});
  dispatcher.Start();
  const auto start = std::chrono::steady_clock::now();
  dispatcher.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace datamcp::queue
