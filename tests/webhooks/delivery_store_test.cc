#include "gitops/queue/delivery_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "gitops/queue/record_codec.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::queue {
namespace {

using Outcome = DeliveryStore::AppendOutcome;
using testing::TempDir;

Delivery MakeDelivery(const std::string& id, std::string body = R"({"action":"opened"})") {
  return Delivery{
      id, "pull_request", "opened", "datamcp-test/gitops", 1'700'000'000'000, std::move(body)};
}

class DeliveryStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<DeliveryStore> Open(DeliveryStoreOptions options = {}) {
    options.dir = dir_.path() + "/store";
    auto store = DeliveryStore::Open(options, clock_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::string LogPath() const { return dir_.path() + "/store/deliveries.log"; }
  std::uintmax_t LogSize() const { return std::filesystem::file_size(LogPath()); }

  TempDir dir_;
  ManualClock clock_{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000))};
};

TEST(RecordCodecTest, Crc32cMatchesKnownValues) {
  EXPECT_EQ(codec::Crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(codec::Crc32c("The quick brown fox jumps over the lazy dog"), 0x22620404u);
  EXPECT_EQ(codec::Crc32c(""), 0u);
  std::string bytes;
  for (int r = 0; r < 5; ++r)
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(codec::Crc32c(bytes + "abc"), 0xCD3EDFDFu);
}

TEST(RecordCodecTest, HardwareAndPortablePathsAgreeOnEveryLength) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>((i * 131 + 7) % 251));
  for (std::size_t n = 0; n < 64; ++n) {
    EXPECT_EQ(codec::Crc32c(std::string_view(data).substr(1, n)),
              codec::PortableCrc32c(std::string_view(data).substr(1, n)))
        << n;
  }
  EXPECT_EQ(codec::Crc32c(data), codec::PortableCrc32c(data));
}

TEST_F(DeliveryStoreTest, AppendedDeliveryIsPendingWithEveryField) {
  auto store = Open();
  Delivery d = MakeDelivery("a", std::string("{\"x\":\"\0binary\xff\"}", 17));
  ASSERT_EQ(*store->Append(d), Outcome::kAccepted);
  auto pending = store->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0], d);
}

TEST_F(DeliveryStoreTest, SecondAppendOfSameIdIsDuplicateAndWritesNothing) {
  auto store = Open();
  ASSERT_EQ(*store->Append(MakeDelivery("a")), Outcome::kAccepted);
  auto size = LogSize();
  EXPECT_EQ(*store->Append(MakeDelivery("a", "{\"other\":1}")), Outcome::kDuplicate);
  EXPECT_EQ(LogSize(), size);
  EXPECT_EQ(store->PendingIds(), std::vector<std::string>{"a"});
}

TEST_F(DeliveryStoreTest, RejectsEmptyId) {
  auto store = Open();
  auto r = store->Append(MakeDelivery(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DeliveryStoreTest, PendingAndDoneSurviveRestartAndDedupStillHolds) {
  {
    auto store = Open();
    for (const char* id : {"a", "b", "c"})
      ASSERT_EQ(*store->Append(MakeDelivery(id)), Outcome::kAccepted);
    ASSERT_TRUE(store->MarkDone("b").ok());
  }
  auto store = Open();
  EXPECT_EQ(store->PendingIds(), (std::vector<std::string>{"a", "c"}));
  for (const char* id : {"a", "b", "c"})
    EXPECT_EQ(*store->Append(MakeDelivery(id)), Outcome::kDuplicate) << id;
  EXPECT_EQ(*store->Append(MakeDelivery("d")), Outcome::kAccepted);
}

TEST_F(DeliveryStoreTest, MarkDoneIsIdempotentAndUnknownIdIsNotFound) {
  auto store = Open();
  ASSERT_EQ(*store->Append(MakeDelivery("a")), Outcome::kAccepted);
  EXPECT_TRUE(store->MarkDone("a").ok());
  EXPECT_TRUE(store->MarkDone("a").ok());
  EXPECT_EQ(store->MarkDone("zzz").code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->PendingIds().empty());
}

TEST_F(DeliveryStoreTest, TornTailIsTruncatedOnOpen) {
  std::uintmax_t first_end = 0;
  {
    auto store = Open();
    ASSERT_EQ(*store->Append(MakeDelivery("a")), Outcome::kAccepted);
    first_end = LogSize();
    ASSERT_EQ(*store->Append(MakeDelivery("b", std::string(1000, 'x'))), Outcome::kAccepted);
  }
  const auto full = LogSize();
  std::filesystem::resize_file(LogPath(), full - 10);  // a write cut short by kill -9
  {
    auto store = Open();
    EXPECT_EQ(store->PendingIds(), std::vector<std::string>{"a"});
    EXPECT_EQ(store->stats().truncated_bytes_on_open, full - 10 - first_end);
    EXPECT_EQ(LogSize(), first_end);
    // "b" was never acknowledged durably; its redelivery is accepted and lands after "a".
    EXPECT_EQ(*store->Append(MakeDelivery("b")), Outcome::kAccepted);
  }
  auto store = Open();
  EXPECT_EQ(store->PendingIds(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store->stats().truncated_bytes_on_open, 0u);
}

TEST_F(DeliveryStoreTest, CorruptedLastRecordFailsCrcAndIsDropped) {
  {
    auto store = Open();
    ASSERT_EQ(*store->Append(MakeDelivery("a")), Outcome::kAccepted);
    ASSERT_EQ(*store->Append(MakeDelivery("b")), Outcome::kAccepted);
  }
  {
    std::fstream f(LogPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('#');
  }
  auto store = Open();
  EXPECT_EQ(store->PendingIds(), std::vector<std::string>{"a"});
  EXPECT_GT(store->stats().truncated_bytes_on_open, 0u);
}

TEST_F(DeliveryStoreTest, HeaderOnlyTailIsTruncated) {
  {
    auto store = Open();
    ASSERT_EQ(*store->Append(MakeDelivery("a")), Outcome::kAccepted);
  }
  const auto good = LogSize();
  {
    std::ofstream f(LogPath(), std::ios::app | std::ios::binary);
    f.write("\x10\x00\x00", 3);
  }
  auto store = Open();
  EXPECT_EQ(store->PendingIds(), std::vector<std::string>{"a"});
  EXPECT_EQ(LogSize(), good);
}

TEST_F(DeliveryStoreTest, SecondOpenOfSameDirectoryIsRefused) {
  auto store = Open();
  auto second = DeliveryStore::Open(DeliveryStoreOptions{.dir = dir_.path() + "/store"}, clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST_F(DeliveryStoreTest, CompactionKeepsPendingAndRecentDoneIds) {
  auto store = Open(DeliveryStoreOptions{.dir = "", .compact_min_bytes = 64 * 1024});
  const std::string body(4096, 'b');
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(*store->Append(MakeDelivery("id" + std::to_string(i), body)), Outcome::kAccepted);
  }
  for (int i = 0; i < 36; ++i) ASSERT_TRUE(store->MarkDone("id" + std::to_string(i)).ok());
  EXPECT_GE(store->stats().compactions, 1u);  // triggered by MarkDone past 64 KiB
  EXPECT_LT(LogSize(), 64u * 1024);
  ASSERT_TRUE(store->Compact().ok());
  EXPECT_LT(LogSize(), 4u * (4096 + 128) + 36u * 64);  // 4 pending bodies + 36 done ids
  EXPECT_EQ(store->PendingIds(), (std::vector<std::string>{"id36", "id37", "id38", "id39"}));
  EXPECT_EQ(store->Read("id37")->body, body);
  store.reset();
  store = Open(DeliveryStoreOptions{.dir = "", .compact_min_bytes = 64 * 1024});
  EXPECT_EQ(store->PendingIds().size(), 4u);
  EXPECT_EQ(store->Read("id39")->body, body);
  EXPECT_EQ(*store->Append(MakeDelivery("id0")), Outcome::kDuplicate);
  EXPECT_EQ(store->stats().remembered, 40u);
}

TEST_F(DeliveryStoreTest, CompactionForgetsDoneIdsOlderThanTheDedupWindow) {
  auto store = Open(DeliveryStoreOptions{.dir = "", .dedup_window = std::chrono::hours(72)});
  Delivery old = MakeDelivery("old");
  ASSERT_EQ(*store->Append(old), Outcome::kAccepted);
  ASSERT_TRUE(store->MarkDone("old").ok());
  clock_.Advance(std::chrono::hours(73));
  ASSERT_TRUE(store->Compact().ok());
  EXPECT_EQ(store->stats().remembered, 0u);
  EXPECT_EQ(*store->Append(old), Outcome::kAccepted);
}

TEST_F(DeliveryStoreTest, CompactionDuringConcurrentAppendsLosesNothing) {
  auto store = Open(DeliveryStoreOptions{.dir = "", .compact_min_bytes = 32 * 1024});
  constexpr int kCount = 600;
  std::atomic<int> appended{0};
  std::thread writer([&] {
    for (int i = 0; i < kCount; ++i) {
      auto d = MakeDelivery("id" + std::to_string(i), std::string(1000 + i, 'a' + i % 26));
      ASSERT_EQ(*store->Append(d), Outcome::kAccepted);
      appended = i + 1;
    }
  });
  for (int done = 0; done < kCount; done += 2) {  // marks even ids done while appends go on
    while (appended.load() <= done) std::this_thread::yield();
    ASSERT_TRUE(store->MarkDone("id" + std::to_string(done)).ok());
  }
  writer.join();
  EXPECT_GE(store->stats().compactions, 1u);
  std::vector<std::string> odd;
  for (int i = 1; i < kCount; i += 2) odd.push_back("id" + std::to_string(i));
  EXPECT_EQ(store->PendingIds(), odd);
  for (int i = 1; i < kCount; i += 100) {
    EXPECT_EQ(store->Read("id" + std::to_string(i))->body, std::string(1000 + i, 'a' + i % 26));
  }
  store.reset();
  store = Open();
  EXPECT_EQ(store->PendingIds(), odd);
  EXPECT_EQ(store->stats().truncated_bytes_on_open, 0u);
  EXPECT_EQ(store->Read("id599")->body, std::string(1599, 'a' + 599 % 26));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(*store->Append(MakeDelivery("id" + std::to_string(i))), Outcome::kDuplicate) << i;
  }
}

TEST_F(DeliveryStoreTest, ConcurrentAppendsAcceptEachIdOnce) {
  for (bool sync : {false, true}) {
    TempDir dir;
    auto store =
        DeliveryStore::Open(DeliveryStoreOptions{.dir = dir.path(), .sync_writes = sync}, clock_);
    ASSERT_TRUE(store.ok());
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          auto r = (*store)->Append(MakeDelivery("id" + std::to_string(i)));
          if (r.ok() && *r == Outcome::kAccepted) ++accepted;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted.load(), 50) << "sync_writes=" << sync;
    EXPECT_EQ((*store)->PendingIds().size(), 50u);
  }
}

}  // namespace
}  // namespace datamcp::queue
