// The delivery store's contract on every backend: each delivery id recorded once (also when
// replicas receive it together), pending until marked done, across restarts, and handled ids
// remembered for the dedup window, then pruned.
#include <atomic>
#include <thread>

#include "gitops/queue/delivery_store.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

using queue::Delivery;
using queue::DeliveryStore;
using queue::DeliveryStoreOptions;
using Outcome = DeliveryStore::AppendOutcome;
using test::ValueOrFail;

Delivery MakeDelivery(const std::string& id, std::string body = R"({"action":"opened"})",
                      long long received_ms = 1'700'000'000'000) {
  return Delivery{id,          "pull_request",  "opened",         "datamcp-test/gitops",
                  received_ms, std::move(body), "digest-of-" + id};
}

class DeliveryContractTest : public StateContractTest {};

TEST_P(DeliveryContractTest, AppendedDeliveryIsPendingWithEveryField) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  Delivery d = MakeDelivery("a", std::string("{\"x\":\"\0binary\xff\"}", 17));
  ASSERT_EQ(*store.Append(d), Outcome::kAccepted);
  auto pending = store.Pending();
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0], d);
  EXPECT_EQ(*store.Read("a"), d);
  EXPECT_EQ(store.Read("zzz").status().code(), StatusCode::kNotFound);
}

TEST_P(DeliveryContractTest, SecondAppendOfSameIdIsDuplicateAndWritesNothing) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  ASSERT_EQ(*store.Append(MakeDelivery("a")), Outcome::kAccepted);
  EXPECT_EQ(*store.Append(MakeDelivery("a", "{\"other\":1}")), Outcome::kDuplicate);
  EXPECT_EQ(ValueOrFail(store.PendingIds()), std::vector<std::string>{"a"});
  EXPECT_EQ(store.Read("a")->body, R"({"action":"opened"})");
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 1u);
}

TEST_P(DeliveryContractTest, ABatchIsAppendedInOrderAsIfOneAfterAnother) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  ASSERT_EQ(*store.Append(MakeDelivery("old")), Outcome::kAccepted);
  Delivery replay = MakeDelivery("replay");
  replay.digest = "digest-of-b";  // b's body under another id, in the same batch
  const std::vector<Delivery> batch = {MakeDelivery("a"),
                                       MakeDelivery("old"),
                                       MakeDelivery("b"),
                                       MakeDelivery("a", "{\"again\":1}"),
                                       replay,
                                       MakeDelivery("c")};
  EXPECT_EQ(ValueOrFail(store.AppendAll(batch)),
            (std::vector<Outcome>{Outcome::kAccepted, Outcome::kDuplicate, Outcome::kAccepted,
                                  Outcome::kDuplicate, Outcome::kReplay, Outcome::kAccepted}));
  EXPECT_EQ(ValueOrFail(store.PendingIds()), (std::vector<std::string>{"old", "a", "b", "c"}));
  EXPECT_EQ(store.Read("a")->body, R"({"action":"opened"})");
  EXPECT_EQ(ValueOrFail(store.AppendAll({})), std::vector<Outcome>{});
}

TEST_P(DeliveryContractTest, ABatchWithAnEmptyIdIsRefusedWhole) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  const std::vector<Delivery> batch = {MakeDelivery("a"), MakeDelivery("")};
  EXPECT_EQ(store.AppendAll(batch).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 0u);
}

TEST_P(DeliveryContractTest, RejectsEmptyId) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  auto r = store.Append(MakeDelivery(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 0u);
}

TEST_P(DeliveryContractTest, PendingAndDoneSurviveRestartAndDedupStillHolds) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    DeliveryStore store(*db, clock_);
    for (const char* id : {"a", "b", "c"})
      ASSERT_EQ(*store.Append(MakeDelivery(id)), Outcome::kAccepted);
    ASSERT_TRUE(store.MarkDone("b").ok());
  }
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  EXPECT_EQ(ValueOrFail(store.PendingIds()), (std::vector<std::string>{"a", "c"}));
  for (const char* id : {"a", "b", "c"})
    EXPECT_EQ(*store.Append(MakeDelivery(id)), Outcome::kDuplicate) << id;
  EXPECT_EQ(*store.Append(MakeDelivery("d")), Outcome::kAccepted);
  EXPECT_EQ(ValueOrFail(store.PendingIds()), (std::vector<std::string>{"a", "c", "d"}));
}

TEST_P(DeliveryContractTest, MarkDoneIsIdempotentAndUnknownIdIsNotFound) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  ASSERT_EQ(*store.Append(MakeDelivery("a")), Outcome::kAccepted);
  EXPECT_TRUE(store.MarkDone("a").ok());
  EXPECT_TRUE(store.MarkDone("a").ok());
  EXPECT_EQ(store.MarkDone("zzz").code(), StatusCode::kNotFound);
  EXPECT_TRUE(ValueOrFail(store.PendingIds()).empty());
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 1u);  // still known, for deduplication
}

TEST_P(DeliveryContractTest, PruneForgetsOnlyHandledIdsOlderThanTheDedupWindow) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_, DeliveryStoreOptions{.dedup_window = std::chrono::hours(72)});
  const long long now = clock_.UnixMillis();
  ASSERT_EQ(*store.Append(MakeDelivery("old-done", "{}", now)), Outcome::kAccepted);
  ASSERT_EQ(*store.Append(MakeDelivery("old-pending", "{}", now)), Outcome::kAccepted);
  ASSERT_TRUE(store.MarkDone("old-done").ok());
  clock_.Advance(std::chrono::hours(73));
  ASSERT_EQ(*store.Append(MakeDelivery("recent", "{}", clock_.UnixMillis())), Outcome::kAccepted);
  ASSERT_TRUE(store.MarkDone("recent").ok());
  ASSERT_TRUE(store.Prune().ok());
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 2u);  // old-pending and recent
  EXPECT_EQ(ValueOrFail(store.PendingIds()), std::vector<std::string>{"old-pending"});
  EXPECT_EQ(*store.Append(MakeDelivery("recent")), Outcome::kDuplicate);
  EXPECT_EQ(*store.Append(MakeDelivery("old-done")), Outcome::kAccepted);  // forgotten
}

// Pruning runs every few hundred handled deliveries while webhooks are being recorded: it must
// read only the rows it deletes, through the deliveries_handled index (schema 5), not scan
// the table under the write lock. PostgreSQL is told to avoid a sequential scan, so that its
// choice on a small table shows whether the index can serve the statement at all.
TEST_P(DeliveryContractTest, PruneReadsThroughTheHandledIndex) {
  auto db = Open();
  ASSERT_TRUE(db);
  const bool postgres = db->dialect() == Dialect::kPostgres;
  std::string plan;
  Status explained = db->Transact([&](Tx& tx) -> Status {
    if (postgres) DATAMCP_RETURN_IF_ERROR(tx.Exec("SET LOCAL enable_seqscan = off").status());
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows,
                             tx.Query(std::string(postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") +
                                          std::string(DeliveryStore::kPruneStatement),
                                      {0LL}));
    for (const Row& row : rows) {
      for (const auto& cell : row) plan += cell.value_or("") + " ";
      plan += "\n";
    }
    return Status::Ok();
  });
  ASSERT_TRUE(explained.ok()) << explained.ToString();
  EXPECT_NE(plan.find("deliveries_handled"), std::string::npos) << plan;
}

// A captured body sent again under a new delivery id (finding 9 of issue 11): the digest is
// taken, so nothing is written, pending or handled, until the dedup window forgets it.
TEST_P(DeliveryContractTest, SameDigestUnderAnotherIdIsReplayAndWritesNothing) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  ASSERT_EQ(*store.Append(MakeDelivery("a", "{}", clock_.UnixMillis())), Outcome::kAccepted);
  Delivery replay = MakeDelivery("b");
  replay.digest = "digest-of-a";
  EXPECT_EQ(*store.Append(replay), Outcome::kReplay);
  EXPECT_EQ(ValueOrFail(store.PendingIds()), std::vector<std::string>{"a"});
  ASSERT_TRUE(store.MarkDone("a").ok());
  EXPECT_EQ(*store.Append(replay), Outcome::kReplay);  // handled: still refused
  EXPECT_EQ(store.Read("b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Read("a")->digest, "digest-of-a");
  Delivery unchecked = MakeDelivery("c");  // no digest: only the id deduplicates
  unchecked.digest.clear();
  Delivery unchecked_too = MakeDelivery("d");
  unchecked_too.digest.clear();
  EXPECT_EQ(*store.Append(unchecked), Outcome::kAccepted);
  EXPECT_EQ(*store.Append(unchecked_too), Outcome::kAccepted);
  clock_.Advance(std::chrono::hours(73));
  ASSERT_TRUE(store.Prune().ok());
  EXPECT_EQ(*store.Append(replay), Outcome::kAccepted);  // forgotten with the id
}

// GitHub may deliver one event to two replicas at once: each id is accepted exactly once.
TEST_P(DeliveryContractTest, ConcurrentAppendsOnTwoReplicasAcceptEachIdOnce) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  DeliveryStore a(*first, clock_);
  DeliveryStore b(*second, clock_);
  std::atomic<int> accepted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      DeliveryStore& store = t % 2 == 0 ? a : b;
      for (int i = 0; i < 40; ++i) {
        auto r = store.Append(MakeDelivery("id" + std::to_string(i)));
        if (!r.ok()) ++errors;
        if (r.ok() && *r == Outcome::kAccepted) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(accepted.load(), 40);
  EXPECT_EQ(ValueOrFail(a.PendingIds()).size(), 40u);
  EXPECT_EQ(ValueOrFail(b.PendingIds()), ValueOrFail(a.PendingIds()));
}

TEST_P(DeliveryContractTest, DeliveryRecordedOnOneReplicaIsHandledOnAnother) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  DeliveryStore a(*first, clock_);
  DeliveryStore b(*second, clock_);
  ASSERT_EQ(*a.Append(MakeDelivery("x", "{\"n\":1}")), Outcome::kAccepted);
  auto pending = b.Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].body, "{\"n\":1}");
  ASSERT_TRUE(b.MarkDone("x").ok());
  EXPECT_TRUE(ValueOrFail(a.PendingIds()).empty());
  EXPECT_EQ(*a.Append(MakeDelivery("x")), Outcome::kDuplicate);
}

TEST_P(DeliveryContractTest, PendingPagesComeInOrderAndMarkAllDoneSkipsUnknownIds) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    ASSERT_EQ(*store.Append(MakeDelivery(id, std::string("{\"id\":\"") + id + "\"}")),
              Outcome::kAccepted);
  }
  ASSERT_TRUE(store.MarkDone("b").ok());
  auto first = ValueOrFail(store.PendingPage(0, 2));
  ASSERT_EQ(first.deliveries.size(), 2u);
  EXPECT_EQ(first.deliveries[0], MakeDelivery("a", R"({"id":"a"})"));
  EXPECT_EQ(first.deliveries[1].id, "c");
  auto second = ValueOrFail(store.PendingPage(first.next, 2));
  ASSERT_EQ(second.deliveries.size(), 2u);
  EXPECT_EQ(second.deliveries[0].id, "d");
  EXPECT_EQ(second.deliveries[1].body, R"({"id":"e"})");
  EXPECT_TRUE(ValueOrFail(store.PendingPage(second.next, 2)).deliveries.empty());

  ASSERT_TRUE(store.MarkAllDone({"a", "zzz", "d", "a"}).ok());
  EXPECT_EQ(ValueOrFail(store.PendingIds()), (std::vector<std::string>{"c", "e"}));
  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 5u);
  // A handled delivery is remembered without its body; a pending one keeps it.
  Delivery done = ValueOrFail(store.Read("a"));
  EXPECT_EQ(done.event, "pull_request");
  EXPECT_EQ(done.body, "");
  EXPECT_EQ(ValueOrFail(store.Read("c")).body, R"({"id":"c"})");
}

TEST_P(DeliveryContractTest, ClaimedPagesCarryBodiesAndHandledBodiesAreDropped) {
  auto db = Open();
  ASSERT_TRUE(db);
  DeliveryStore store(*db, clock_);
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_EQ(*store.Append(MakeDelivery(id, std::string("{\"id\":\"") + id + "\"}")),
              Outcome::kAccepted);
  }
  ASSERT_TRUE(store.MarkDone("b").ok());
  auto page = ValueOrFail(store.ClaimPage("me", 0, 10, std::chrono::seconds(60)));
  ASSERT_EQ(page.deliveries.size(), 2u);
  EXPECT_EQ(page.deliveries[0].id, "a");
  EXPECT_EQ(page.deliveries[0].body, R"({"id":"a"})");
  EXPECT_EQ(page.deliveries[1].body, R"({"id":"c"})");
  ASSERT_TRUE(store.MarkAllDone({"a", "c"}).ok());
  EXPECT_EQ(ValueOrFail(store.Read("c")).body, "");
}

DATAMCP_STATE_CONTRACT(DeliveryContractTest);

}  // namespace
}  // namespace datamcp::state::testing
