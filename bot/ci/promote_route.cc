#include "bot/ci/promote_route.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "gitops/common/digest.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/common/random.h"
#include "gitops/proposal/image_promotion.h"

namespace datamcp::bot {
namespace {

using json = nlohmann::json;

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
      return 503;
    default:
      return 500;
  }
}

PromoteAnswer Fail(const Status& s, const char* error) {
  return {HttpStatusOf(s), {{"error", error}, {"error_description", s.message()}}};
}

Result<proposal::ImagePromotionRequest> ParseBody(const std::string& body) {
  json j = ParseJsonOrDiscarded(body);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument(
        "the body must be a JSON object: {\"image\", \"tag\" and/or "
        "\"digest\", \"release\", \"environment\"}");
  }
  proposal::ImagePromotionRequest r;
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> kKnown = {"image", "tag", "digest", "release",
                                                 "environment"};
    if (!kKnown.count(it.key())) {
      return InvalidArgument("unknown field '" + it.key().substr(0, 64) +
                             "'; known: image, tag, digest, release, environment");
    }
    if (!it->is_string()) return InvalidArgument(it.key() + ": must be a string");
  }
  auto get = [&](const char* k) { return j.value(k, std::string()); };
  r.version = {get("image"), get("tag"), get("digest")};
  r.release = get("release");
  r.env = get("environment");
  if (r.release.empty()) return InvalidArgument("release: missing");
  if (r.env.empty()) return InvalidArgument("environment: missing");
  DATAMCP_RETURN_IF_ERROR(repo::CheckImageVersion(r.version));
  return r;
}

std::string BearerOf(const std::string& authorization) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.size() <= kPrefix.size() ||
      !std::equal(kPrefix.begin(), kPrefix.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return "";
  }
  return authorization.substr(kPrefix.size());
}

json AnswerBody(const proposal::ImagePromotionResult& r) {
  json out = {{"noop", r.noop}, {"message", r.message}, {"previous", r.previous}};
  if (r.noop) return out;
  out["pull_request"] = r.proposal.number;
  out["url"] = r.proposal.url;
  out["branch"] = r.proposal.branch;
  out["commit"] = r.proposal.commit;
  out["reused"] = r.proposal.reused;
  out["superseded"] = r.superseded;
  out["plan"] = proposal::ToJson(r.proposal.plan);
  return out;
}

}  // namespace

PromoteAnswer HandlePromote(const PromoteRouteDeps& deps, const std::string& authorization,
                            const std::string& body) {
  auto who = deps.verifier.Verify(BearerOf(authorization));
  if (!who.ok()) {
    log::Warn("ci_token_rejected", {{"reason", who.status().message()}});
    return Fail(who.status(), "invalid_token");
  }
  auto request = ParseBody(body);
  if (!request.ok()) return Fail(request.status(), "invalid_request");
  auto config = deps.proposals.LoadConfig();
  if (!config.ok()) return Fail(config.status(), "unavailable");
  repo::PromotionTarget target{request->version.image, request->version.tag,
                               request->version.digest, request->release, request->env};
  auto rule = repo::AuthorizePromotion(config->promotion_rules, *who, target);
  if (!rule.ok()) {
    log::Warn("ci_promotion_denied", {{"repository", who->repository},
                                      {"workflow", who->job_workflow_ref},
                                      {"release", request->release},
                                      {"environment", request->env},
                                      {"reason", rule.status().message()}});
    return Fail(rule.status(), "forbidden");
  }
  request->requester = "ci:" + who->repository;
  request->request_id = RandomHex(8).value_or("ci");
  request->origin = "GitHub Actions `" + who->job_workflow_ref + "`" +
                    (who->run_id.empty() ? "" : " run " + who->run_id) +
                    (who->actor.empty() ? "" : " (actor `" + who->actor + "`)") +
                    ", allowed by promotion.rules[" + std::to_string(*rule) + "]";
  if (!who->run_id.empty()) {
    // A retried step of the same run gets the same pull request.
    request->idempotency_key = Sha256Hex(who->job_workflow_ref + "\n" + who->run_id + "\n" +
                                         repo::ImageReference(request->version) + "\n" +
                                         request->env + "/" + request->release)
                                   .substr(0, 32);
  }
  auto result = proposal::PromoteImage(deps.proposals, deps.repo, deps.forge, deps.locks, *request);
  if (!result.ok()) return Fail(result.status(), "promotion_failed");
  log::Info("ci_promotion", {{"repository", who->repository},
                             {"workflow", who->job_workflow_ref},
                             {"release", request->release},
                             {"environment", request->env},
                             {"image", repo::ImageReference(request->version)},
                             {"noop", result->noop},
                             {"pull_request", result->proposal.number}});
  return {200, AnswerBody(*result)};
}

void RegisterPromoteRoute(httplib::Server& server, const PromoteRouteDeps& deps) {
  server.Post("/ci/promote", [&deps](const httplib::Request& req, httplib::Response& res) {
    PromoteAnswer answer = HandlePromote(deps, req.get_header_value("Authorization"), req.body);
    res.status = answer.status;
    if (answer.status == 401) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    res.set_content(answer.body.dump() + "\n", "application/json");
  });
}

}  // namespace datamcp::bot
