// Throughput (per CPU second) of JwtAuthenticator::Authenticate per algorithm (full path: split,
// decode, header, signature, claims, principal). Not a test: tests/bench/auth_verify.sh runs it
// next to `openssl speed` and prints the ratio. Bounded: at most kMaxOps calls or ~1 s per case.
#include <chrono>
#include <cstdio>
#include <ctime>

#include "bot/auth/jwt_authenticator.h"
#include "tests/auth/test_signer.h"

namespace datamcp::bot {
namespace {

constexpr int kMaxOps = 200000;
constexpr auto kBudget = std::chrono::seconds(1);

// CPU seconds of this process: the machine is shared, and `openssl speed` also divides by
// user CPU time by default.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double OpsPerCpuSecond(const JwtAuthenticator& auth, const std::string& token) {
  double cpu_start = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  int ops = 0;
  while (ops < kMaxOps && std::chrono::steady_clock::now() - start < kBudget) {
    for (int i = 0; i < 100; ++i, ++ops) {
      if (!auth.Authenticate(token).ok()) std::abort();
    }
  }
  return ops / (CpuSeconds() - cpu_start);
}

int Run() {
  SystemClock& clock = SystemClock::Instance();
  nlohmann::json claims = {{"sub", "bench"},
                           {"scope", "proposals:write env:dev"},
                           {"iat", clock.UnixSeconds()},
                           {"exp", clock.UnixSeconds() + 3600}};
  std::string secret(48, 's');
  auto rsa = testing::GenerateRsa2048();
  auto ec = testing::GenerateP256();
  struct Case {
    const char* name;
    JwtOptions options;
    std::string token;
  } cases[] = {
      {"HS256", {}, testing::SignHs256({{"alg", "HS256"}}, claims, secret)},
      {"RS256", {}, testing::SignRs256({{"alg", "RS256"}}, claims, rsa)},
      {"ES256", {}, testing::SignEs256({{"alg", "ES256"}}, claims, ec)},
  };
  cases[0].options.hs256_secret = Secret(secret);
  cases[1].options.algorithm = JwsAlgorithm::kRs256;
  cases[1].options.public_key_pem = rsa.public_pem;
  cases[2].options.algorithm = JwsAlgorithm::kEs256;
  cases[2].options.public_key_pem = ec.public_pem;
  for (auto& c : cases) {
    auto auth = JwtAuthenticator::Create(c.options, clock);
    if (!auth.ok()) return 1;
    std::printf("%s %.0f\n", c.name, OpsPerCpuSecond(**auth, c.token));
  }
  return 0;
}

}  // namespace
}  // namespace datamcp::bot

int main() { return datamcp::bot::Run(); }
