#include "bot/cli/forge_commands.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bot/cli/cli_support.h"
#include "bot/cli/ops_commands.h"
#include "gitops/common/clock.h"
#include "gitops/common/record_text.h"
#include "gitops/localforge/local_drift_reports.h"
#include "gitops/localforge/local_forge.h"
#include "gitops/localforge/local_pr_store.h"
#include "gitops/proposal/approvals.h"
#include "gitops/proposal/destroy_gate.h"
#include "gitops/proposal/plan_report.h"
#include "gitops/proposal/projects.h"

namespace datamcp::bot {
namespace {

// Opens the local forge of the configured (embedded) repository.
Result<localforge::LocalPrStore> OpenStore(const CommonOptions& common) {
  DATAMCP_ASSIGN_OR_RETURN(config::Config config, LoadConfig(common));
  if (config.forge.kind != "local") {
    return FailedPrecondition("forge.kind is " + config.forge.kind +
                              ": review and merge on the forge itself");
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string work_dir, PrepareWorkDir(config));
  std::string repo = (std::filesystem::path(work_dir) / "gitops.git").string();
  if (!std::filesystem::exists(repo)) {
    return NotFound("no local GitOps repository at " + repo + "; start `datamcp serve` first");
  }
  return localforge::LocalPrStore(
      repo, SystemClock::Instance(),
      {config.repository.committer_name, config.repository.committer_email});
}

// Text from terraform (a for_each key) shown on a terminal: no control characters.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

// The drift reports (LocalForge::UpsertDriftReport) after the pull requests.
void PrintDriftReports(const std::vector<localforge::DriftReportRecord>& reports) {
  if (reports.empty()) return;
  std::printf("\ndrift reports (`datamcp drift` shows the checks):\n");
  for (const auto& r : reports) {
    if (r.state == "resolved") {
      std::printf("resolved %s (%s): no drift at %.12s\n", Printable(r.project).c_str(),
                  Printable(r.environment).c_str(), r.resolved_commit.c_str());
      continue;
    }
    std::printf("open     %s (%s): %zu drifted at %.12s\n", Printable(r.project).c_str(),
                Printable(r.environment).c_str(), r.resources.size(), r.commit.c_str());
    for (const auto& d : r.resources) {
      std::printf("  %s %s\n", Printable(d.action).c_str(), Printable(d.address).c_str());
    }
  }
}

bool ParseNumber(const std::string& text, int* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out > 0;
}

// The person acting: --as USER, else $USER, else "local-user".
std::string Actor(std::vector<std::string>& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--as") {
      std::string who = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
      return who;
    }
  }
  const char* user = std::getenv("USER");
  return user && *user ? user : "local-user";
}

std::string PlanState(const localforge::PullRecord& pr) {
  for (auto it = pr.statuses.rbegin(); it != pr.statuses.rend(); ++it) {
    if (it->context == "datamcp/plan" && it->sha == pr.head_sha) return it->state;
  }
  return "-";
}

// Each project's plan check on the head (LocalForge::UpsertCheckRun): conclusion and title.
void PrintChecks(const localforge::PullRecord& pr) {
  for (const auto& s : pr.statuses) {
    if (s.sha != pr.head_sha || !s.context.starts_with("datamcp/plan: ")) continue;
    std::printf("check %s: %s: %s\n", s.context.substr(14).c_str(), s.state.c_str(),
                FirstLineOf(s.description).c_str());
  }
}

// `review N --confirm-destroy`: records the confirmation of the destructive plan recorded on
// the pull request's head (proposal::ConfirmDestroy) and says so on the pull request.
Status ConfirmDestroy(const CommonOptions& common, localforge::LocalPrStore& store, int n,
                      const std::string& actor) {
  DATAMCP_ASSIGN_OR_RETURN(localforge::PullRecord pr, store.Get(n));
  if (pr.state != "open") {
    return FailedPrecondition("pull request #" + std::to_string(n) + " is not open");
  }
  DATAMCP_ASSIGN_OR_RETURN(auto stack, OpenStack(common, nullptr));
  auto& clock = SystemClock::Instance();
  DATAMCP_ASSIGN_OR_RETURN(
      nlohmann::json record,
      proposal::ConfirmDestroy(*stack->repo, n, pr.head_sha, actor, "cli", clock.UnixSeconds()));
  std::string said = "Destroy confirmed by " + actor + " for the plan of head `" +
                     pr.head_sha.substr(0, 12) + "`:";
  for (const auto& p : record["projects"]) {
    said += "\n- `" + p["project"].get<std::string>() + "` plan `" +
            p["fingerprint"].get<std::string>().substr(0, 12) + "`";
  }
  said += "\nA new plan needs a new confirmation.";
  DATAMCP_RETURN_IF_ERROR(
      store
          .Update(n, "confirm-destroy",
                  [&](localforge::PullRecord& r) {
                    long long id = 1;
                    for (const auto& c : r.comments) id = std::max(id, c.id + 1);
                    r.comments.push_back({id, actor, said, clock.UnixSeconds()});
                    return Status::Ok();
                  })
          .status());
  std::printf("#%d: %s\n", n, said.c_str());
  return Status::Ok();
}

// An approval is bound to the plan recorded on the head it is given on (proposal/approvals.h):
// fills `review` with that head and the fingerprint of each project's newest plan there.
Status BindToPlan(const CommonOptions& common, localforge::LocalPrStore& store, int n,
                  localforge::Review& review) {
  DATAMCP_ASSIGN_OR_RETURN(localforge::PullRecord pr, store.Get(n));
  DATAMCP_ASSIGN_OR_RETURN(auto stack, OpenStack(common, nullptr));
  DATAMCP_RETURN_IF_ERROR(stack->repo->Fetch().WithContext("fetch the GitOps repository"));
  DATAMCP_ASSIGN_OR_RETURN(auto notes, stack->repo->ReadNotes(pr.head_sha));
  review.head_sha = pr.head_sha;
  for (const auto& planned : proposal::NewestPlan(notes)) {
    review.fingerprints[planned.project] = planned.fingerprint;
  }
  return Status::Ok();
}

}  // namespace

int RunPrs(const std::vector<std::string>& args, const CommonOptions& common) {
  bool all = false, json = false;
  for (const auto& a : args) {
    if (a == "--all")
      all = true;
    else if (a == "--json")
      json = true;
    else
      return CliFail("prs: unknown option '" + a + "' (use --all, --json)", 2);
  }
  auto store = OpenStore(common);
  if (!store.ok()) return CliFail(store.status().message());
  auto prs = store->List(!all);
  if (!prs.ok()) return CliFail(prs.status().message());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& pr : *prs) out.push_back(localforge::ToJson(pr));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (prs->empty()) {
    std::printf(all ? "no pull requests\n" : "no open pull requests\n");
  } else {
    std::printf("%-5s %-8s %-8s %-9s %-10s %s\n", "#", "state", "plan", "approvals", "author",
                "title");
    for (const auto& pr : *prs) {
      std::string state = pr.merged ? "merged" : pr.state;
      std::printf("%-5d %-8s %-8s %-9zu %-10s %s\n", pr.number, state.c_str(),
                  PlanState(pr).c_str(), pr.Approvers().size(), pr.author.c_str(),
                  pr.title.c_str());
    }
  }
  localforge::LocalDriftReports drift(store->repo_path(), store->clock(), store->identity().name,
                                      store->identity().email);
  auto reports = drift.List(!all);
  if (!reports.ok()) return CliFail(reports.status().message());
  PrintDriftReports(*reports);
  return 0;
}

int RunPr(const std::vector<std::string>& args, const CommonOptions& common) {
  int n = 0;
  bool diff = args.size() == 2 && args[1] == "--diff";
  if ((args.size() != 1 && !diff) || !ParseNumber(args[0], &n)) {
    return CliFail("usage: datamcp pr N [--diff]", 2);
  }
  auto store = OpenStore(common);
  if (!store.ok()) return CliFail(store.status().message());
  auto pr = store->Get(n);
  if (!pr.ok()) return CliFail(pr.status().message());
  if (diff) {
    auto patch = store->Diff(n);
    if (!patch.ok()) return CliFail(patch.status().message());
    std::fputs(patch->c_str(), stdout);
    return 0;
  }
  std::printf("#%d %s\n%s -> %s (%s)\nstate: %s  plan: %s  approved by: ", pr->number,
              pr->title.c_str(), pr->head_ref.c_str(), pr->base_ref.c_str(),
              pr->head_sha.substr(0, 12).c_str(), pr->merged ? "merged" : pr->state.c_str(),
              PlanState(*pr).c_str());
  for (const auto& a : pr->Approvers()) std::printf("%s ", a.c_str());
  std::printf("\n");
  PrintChecks(*pr);
  std::printf("\n%s\n", pr->body.c_str());
  for (const auto& c : pr->comments) {
    std::printf("\n--- comment by %s ---\n%s\n", c.author.c_str(), c.body.c_str());
  }
  return 0;
}

int RunReview(const std::vector<std::string>& raw_args, const CommonOptions& common) {
  std::vector<std::string> args = raw_args;
  std::string actor = Actor(args);
  int n = 0;
  std::string state, body;
  bool confirm_destroy = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--confirm-destroy")
      confirm_destroy = true;
    else if (args[i] == "--approve")
      state = "APPROVED";
    else if (args[i] == "--request-changes")
      state = "CHANGES_REQUESTED";
    else if (args[i] == "--comment")
      state = "COMMENTED";
    else if ((args[i] == "-m" || args[i] == "--message") && i + 1 < args.size())
      body = args[++i];
    else if (n == 0 && ParseNumber(args[i], &n))
      continue;
    else
      return CliFail("review: unexpected argument '" + args[i] + "'", 2);
  }
  if (n == 0 || (state.empty() && !confirm_destroy)) {
    return CliFail(
        "usage: datamcp review N --approve|--request-changes|--comment|--confirm-destroy "
        "[-m TEXT]",
        2);
  }
  if (state == "COMMENTED" && body.empty()) return CliFail("review --comment needs -m TEXT", 2);
  auto store = OpenStore(common);
  if (!store.ok()) return CliFail(store.status().message());
  if (confirm_destroy) {
    if (Status s = ConfirmDestroy(common, *store, n, actor); !s.ok()) return CliFail(s.message());
    if (state.empty()) return 0;
  }
  localforge::Review review{actor, state, body, 0, "", {}};
  if (state == "APPROVED") {
    auto bound = BindToPlan(common, *store, n, review);
    if (!bound.ok()) return CliFail(bound.message());
  }
  auto& clock = SystemClock::Instance();
  auto pr = store->Update(n, "review", [&](localforge::PullRecord& r) {
    if (r.state != "open")
      return FailedPrecondition("pull request #" + std::to_string(n) + " is not open");
    if (!review.head_sha.empty() && r.head_sha != review.head_sha) {
      return Conflict("pull request #" + std::to_string(n) + " moved to " +
                      r.head_sha.substr(0, 12) + " while reviewing; review it again");
    }
    review.at = clock.UnixSeconds();
    r.reviews.push_back(review);
    return Status::Ok();
  });
  if (!pr.ok()) return CliFail(pr.status().message());
  std::printf("#%d reviewed by %s: %s\n", n, actor.c_str(), state.c_str());
  for (const auto& [project, fingerprint] : review.fingerprints) {
    std::printf("  approves the plan of %s: %s\n", project.c_str(),
                fingerprint.substr(0, 12).c_str());
  }
  return 0;
}

// The approvals the environments a pull request touches need before apply (datamcp.yaml on
// the default branch): the merge asks for them, as GitHub branch protection would.
Result<int> RequiredApprovals(const repo::RepoConfig& config, localforge::LocalPrStore& store,
                              int number) {
  DATAMCP_ASSIGN_OR_RETURN(auto changed, store.ChangedFiles(number));
  std::vector<std::string> paths;
  for (const auto& [path, kind] : changed) paths.push_back(path);
  int required = 0;
  for (const auto& project : proposal::AffectedProjects(config, paths)) {
    auto env = config.FindEnvironment(project.env);
    if (env.ok()) required = std::max(required, (*env)->approvals);
  }
  return required;
}

// The plan gates at merge, for every project of the plan recorded on the head, as the applier
// will ask after the merge: the environment's approvals given on that plan (an approval of an
// earlier plan is stale, proposal::BindApprovals), and for a destructive plan its
// destroy_approvals or a confirmation of that plan (proposal::DecideDestroy).
Result<std::vector<std::string>> MissingForPlan(GitopsStack& stack, const repo::RepoConfig& config,
                                                const localforge::PullRecord& pr,
                                                const std::string& head_sha) {
  DATAMCP_RETURN_IF_ERROR(stack.repo->Fetch().WithContext("fetch the GitOps repository"));
  DATAMCP_ASSIGN_OR_RETURN(auto notes, stack.repo->ReadNotes(head_sha));
  std::vector<forge::Review> reviews = localforge::ToForgeReviews(pr);
  std::vector<std::string> missing;
  std::string n = std::to_string(pr.number);
  for (const auto& planned : proposal::NewestPlan(notes)) {
    DATAMCP_ASSIGN_OR_RETURN(
        proposal::ApprovalBinding binding,
        proposal::BindApprovals(
            reviews, pr.author, planned.project, planned.fingerprint,
            [&](const std::string& sha) { return stack.repo->ReadNotes(sha); }));
    int approvals = static_cast<int>(binding.current.size());
    auto env = config.FindEnvironment(planned.env);
    int needed = env.ok() ? (*env)->approvals : 0;
    if (approvals < needed && !binding.stale.empty()) {
      missing.push_back(std::to_string(approvals) + " of " + std::to_string(needed) +
                        " approval(s) of the plan of " + planned.project + " (" +
                        planned.fingerprint.substr(0, 12) + "): stale: " + binding.DescribeStale() +
                        " (`datamcp review " + n + " --approve --as USER` again)");
    }
    if (planned.policy.Denied()) {
      for (const auto& denied : planned.policy.denied) {
        missing.push_back("the plan of " + planned.project + " is denied by policy: " + denied);
      }
    } else if (approvals < planned.policy.approvals) {
      missing.push_back(std::to_string(approvals) + " of " +
                        std::to_string(planned.policy.approvals) + " approval(s) of the plan of " +
                        planned.project + " that its plan policies ask for (`datamcp review " + n +
                        " --approve --as USER`)");
    }
    int required = env.ok() ? (*env)->destroy_approvals : approvals + 1;
    proposal::DestroyDecision d = proposal::DecideDestroy(
        planned.changes, planned.project, planned.fingerprint, approvals, required, notes,
        pr.number, "`datamcp review " + n + " --confirm-destroy --as USER`");
    if (!d.allowed) missing.push_back(d.why);
  }
  return missing;
}

int RunMerge(const std::vector<std::string>& raw_args, const CommonOptions& common) {
  std::vector<std::string> args = raw_args;
  std::string actor = Actor(args);
  localforge::MergeGate gate{.enforce = true};
  std::erase_if(args,
                [&gate](const std::string& a) { return a == "--force" && (gate.force = true); });
  int n = 0;
  if (args.size() != 1 || !ParseNumber(args[0], &n)) {
    return CliFail("usage: datamcp merge N [--as USER] [--force]", 2);
  }
  auto store = OpenStore(common);
  if (!store.ok()) return CliFail(store.status().message());
  auto stack = OpenStack(common, nullptr);
  if (!stack.ok()) return CliFail(stack.status().message());
  auto config = (*stack)->proposals->LoadConfig();
  if (!config.ok()) return CliFail(config.status().message());
  auto required = RequiredApprovals(*config, *store, n);
  if (!required.ok()) return CliFail(required.status().message());
  gate.required_approvals = *required;
  gate.more = [&](const localforge::PullRecord& pr, const std::string& head_sha) {
    return MissingForPlan(**stack, *config, pr, head_sha);
  };
  auto pr = store->Merge(n, actor, gate);
  if (!pr.ok()) return CliFail(pr.status().message());
  std::printf("#%d merged by %s as %s%s; the server applies it now\n", n, actor.c_str(),
              pr->merge_commit_sha.substr(0, 12).c_str(),
              gate.force ? " (forced: recorded on the merge commit)" : "");
  return 0;
}

int RunClose(const std::vector<std::string>& raw_args, const CommonOptions& common) {
  std::vector<std::string> args = raw_args;
  std::string actor = Actor(args);
  int n = 0;
  std::string body;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-m" || args[i] == "--message") && i + 1 < args.size())
      body = args[++i];
    else if (n == 0 && ParseNumber(args[i], &n))
      continue;
    else
      return CliFail("close: unexpected argument '" + args[i] + "'", 2);
  }
  if (n == 0) return CliFail("usage: datamcp close N [-m TEXT] [--as USER]", 2);
  auto store = OpenStore(common);
  if (!store.ok()) return CliFail(store.status().message());
  auto& clock = SystemClock::Instance();
  auto pr = store->Update(n, "close", [&](localforge::PullRecord& r) {
    if (r.state != "open")
      return FailedPrecondition("pull request #" + std::to_string(n) + " is not open");
    r.state = "closed";
    r.closed_by = actor;
    if (!body.empty()) {
      long long id = 1;
      for (const auto& c : r.comments) id = std::max(id, c.id + 1);
      r.comments.push_back({id, actor, body, clock.UnixSeconds()});
    }
    return Status::Ok();
  });
  if (!pr.ok()) return CliFail(pr.status().message());
  std::printf("#%d closed by %s without merging; the server releases its locks on its next pass\n",
              n, actor.c_str());
  return 0;
}

}  // namespace datamcp::bot
