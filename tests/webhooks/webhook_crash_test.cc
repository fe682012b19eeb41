// The webhook server (tests/bench/webhooks/webhook_server.cc: the production front and intake)
// killed with SIGKILL right after answering 202: every delivery answered is in the store.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <string>
#include <vector>

#include "bot/webhooks/signature.h"
#include "bot/webhooks/webhook_routes.h"
#include "gitops/common/clock.h"
#include "gitops/queue/delivery_store.h"
#include "tests/support/state_db.h"
#include "tests/webhooks/subprocess.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::bot {
namespace {

using testing::Subprocess;
using testing::TempDir;

constexpr char kSecretText[] = "crash test webhook secret";
constexpr char kRepo[] = "datamcp-test/gitops";

// kill -9 right after deliveries were answered 202: every one is in the store on reopen.
TEST(WebhookCrashTest, KillNineAfter202LosesNothing) {
  for (bool dispatch : {false, true}) {
    TempDir dir;
    const std::string secret_file = dir / "secret";
    { std::ofstream(secret_file) << kSecretText; }
    std::vector<std::string> argv = {DATAMCP_WEBHOOK_SERVER,
                                     "--dir",
                                     dir / "store",
                                     "--secret-file",
                                     secret_file,
                                     "--repo",
                                     kRepo,
                                     "--log-level",
                                     "warn"};
    if (!dispatch) argv.push_back("--no-dispatch");
    Subprocess server(argv);
    std::string line;
    ASSERT_TRUE(server.ReadLine(&line, std::chrono::seconds(20))) << "webhook_server did not start";
    ASSERT_EQ(line.rfind("listening ", 0), 0u) << line;
    const int port = std::stoi(line.substr(10));

    std::vector<std::string> accepted;
    httplib::Client client("127.0.0.1", port);
    for (int i = 0; i < 30; ++i) {
      const std::string body = R"({"action":"synchronize","number":)" + std::to_string(i) +
                               R"(,"repository":{"full_name":"datamcp-test/gitops"}})";
      const std::string id = "crash-" + std::to_string(i);
      auto res = client.Post(kWebhookPath,
                             {{"X-GitHub-Event", "pull_request"},
                              {"X-GitHub-Delivery", id},
                              {"X-Hub-Signature-256", SignSha256(Secret(kSecretText), body)}},
                             body, "application/json");
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 202) << res->body;
      accepted.push_back(id);
    }
    server.Kill(SIGKILL);
    EXPECT_EQ(server.Wait(), 128 + SIGKILL);

    auto db = test::OpenSqliteState(dir / "store");
    ASSERT_NE(db, nullptr);
    queue::DeliveryStore store(*db, SystemClock::Instance());
    if (!dispatch) {
      EXPECT_EQ(test::ValueOrFail(store.PendingIds()), accepted);
    }
    for (const std::string& id : accepted) {  // pending or done, but known: never lost
      auto again = store.Append({id, "pull_request", "synchronize", kRepo, 0, "{}"});
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(*again, queue::DeliveryStore::AppendOutcome::kDuplicate)
          << "dispatch=" << dispatch << " " << id;
    }
  }
}

}  // namespace
}  // namespace datamcp::bot
