// Times Masker::Mask on a file against std::regex doing the same job (the peer a
// straightforward implementation would use). Run through tests/bench/masker.sh.
#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "gitops/process/masker.h"

namespace {

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

template <typename F>
double BestMs(int runs, F&& f) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
    best = std::min(best, ms.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: masker_bench FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  datamcp::process::Masker masker;
  std::string ours;
  double ours_ms = BestMs(5, [&] { ours = masker.Mask(text); });

  // The same shapes as one ECMAScript regex (PEM blocks simplified to BEGIN..END lines).
  const std::regex peer(
      "gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|\\b(AKIA|ASIA)[A-Z0-9]{16}\\b|"
      "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*|"
      "-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*-----END [A-Z ]*PRIVATE KEY-----");
  std::string theirs;
  double peer_ms = BestMs(1, [&] { theirs = std::regex_replace(text, peer, "[MASKED]"); });

  std::cout << "input: " << text.size() << " bytes\n"
            << "masker:     " << ours_ms << " ms, " << Count(ours, "[MASKED") << " masked\n"
            << "std::regex: " << peer_ms << " ms, " << Count(theirs, "[MASKED") << " masked\n"
            << "ratio (std::regex / masker): " << peer_ms / ours_ms << "\n";
  return 0;
}
