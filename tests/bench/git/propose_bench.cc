// Benchmark driver for DataMCP's git engine: "propose" = fetch, change 3 files in one
// environment, commit, push a new branch. Used by propose_bench.sh; not a test.
//
//   git_propose_bench mirror  <mirror_dir> <url>
//   git_propose_bench propose <mirror_dir> <url> <env_dir> <iterations> <branch_prefix>
//
// `propose` prints one line per iteration ("ms <wall> fetch <wall of the fetch> cpu <this
// process's CPU time>", milliseconds) and a final
// "peak_rss_kb <kilobytes>" for the whole process (the mirror is assumed present).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/git/libgit2_repository.h"

namespace {

using datamcp::git::ChangeSet;
using datamcp::git::CommitMeta;
using datamcp::git::Libgit2Repository;
using datamcp::git::Libgit2RepositoryOptions;

Libgit2RepositoryOptions Options(const std::string& mirror, const std::string& url) {
  Libgit2RepositoryOptions o;
  o.mirror_path = mirror;
  o.remote.url = url;
  o.committer = {"DataMCP Bench", "bench@datamcp.test"};
  o.bot_branch_prefix = "bench/";
  return o;
}

// User + system CPU time of this process so far, in milliseconds.
double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

int Propose(Libgit2Repository& engine, const std::string& env_dir, int iterations,
            const std::string& prefix) {
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = CpuMs();
    datamcp::Status fetched = engine.Fetch();
    if (!fetched.ok()) {
      std::fprintf(stderr, "fetch: %s\n", fetched.ToString().c_str());
      return 1;
    }
    auto fetched_at = std::chrono::steady_clock::now();
    std::string n = std::to_string(i);
    ChangeSet changes = {{env_dir + "/file-0.yaml", "replicas: " + n + "\n"},
                         {env_dir + "/file-1.yaml", "image: app:" + n + "\n"},
                         {env_dir + "/bench-" + n + ".yaml", "new: " + n + "\n"}};
    CommitMeta meta;
    meta.message = "bench: propose " + n;
    meta.author = {"Requester", "requester@example.com"};
    meta.trailers = {{"Datamcp-Tool", "bench"}, {"Datamcp-Request-Id", "bench-" + n}};
    auto r = engine.CommitAndPush(prefix + n, "main", changes, meta);
    if (!r.ok()) {
      std::fprintf(stderr, "propose: %s\n", r.status().ToString().c_str());
      return 1;
    }
    auto end = std::chrono::steady_clock::now();
    auto ms = std::chrono::duration<double, std::milli>(end - start);
    auto fetch_ms = std::chrono::duration<double, std::milli>(fetched_at - start);
    std::printf("ms %.1f fetch %.1f cpu %.1f\n", ms.count(), fetch_ms.count(), CpuMs() - cpu_start);
    std::fflush(stdout);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak_rss_kb %ld\n", usage.ru_maxrss);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s mirror|propose <mirror_dir> <url> [env_dir iterations prefix]\n",
                 argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  Libgit2Repository engine(Options(argv[2], argv[3]), datamcp::SystemClock::Instance());
  if (mode == "mirror") {
    datamcp::Status s = engine.Mirror();
    if (!s.ok()) std::fprintf(stderr, "mirror: %s\n", s.ToString().c_str());
    return s.ok() ? 0 : 1;
  }
  if (mode == "propose" && argc == 7) {
    return Propose(engine, argv[4], std::atoi(argv[5]), argv[6]);
  }
  std::fprintf(stderr, "bad arguments\n");
  return 2;
}
