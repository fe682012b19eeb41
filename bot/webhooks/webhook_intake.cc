#include "bot/webhooks/webhook_intake.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

#include "bot/webhooks/payload_fields.h"
#include "gitops/common/digest.h"
#include "gitops/common/log.h"
#include "gitops/common/utc_time.h"

namespace datamcp::bot {
namespace {

struct HandledEvent {
  std::string_view event;
  std::vector<std::string_view> actions;  // empty: every action (push has none)
};

const std::array<HandledEvent, 5>& HandledEvents() {
  static const std::array<HandledEvent, 5> kHandled = {{
      {"pull_request", {"opened", "reopened", "synchronize", "ready_for_review", "closed"}},
      {"issue_comment", {"created"}},
      {"check_run", {"rerequested"}},
      {"workflow_run", {"completed"}},
      {"push", {}},
  }};
  return kHandled;
}

bool IsKnownEvent(std::string_view event) {
  return std::any_of(HandledEvents().begin(), HandledEvents().end(),
                     [&](const HandledEvent& h) { return h.event == event; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "application/json", optionally with parameters ("; charset=utf-8").
bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return Lower(media) == "application/json";
}

IntakeResult Reply(int status, std::string message) {
  return IntakeResult{status, std::move(message), std::nullopt};
}

}  // namespace

WebhookIntake::WebhookIntake(WebhookIntakeOptions options, queue::DeliveryStore& store,
                             Clock& clock)
    : options_(std::move(options)), signature_(options_.secret), store_(store), clock_(clock) {}

bool WebhookIntake::IsHandled(std::string_view event, std::string_view action) {
  for (const HandledEvent& h : HandledEvents()) {
    if (h.event != event) continue;
    return h.actions.empty() ||
           std::find(h.actions.begin(), h.actions.end(), action) != h.actions.end();
  }
  return false;
}

std::optional<IntakeResult> WebhookIntake::CheckBeforeBody(
    const WebhookHeaders& headers, std::optional<std::size_t> content_length) const {
  if (!IsJsonContentType(headers.content_type)) {
    return Reply(415, "Content-Type '" + headers.content_type +
                          "' is not supported: set the webhook's content type to "
                          "application/json");
  }
  if (content_length && *content_length > options_.max_body_bytes) {
    return Reply(413, "body of " + std::to_string(*content_length) +
                          " bytes is over the limit of " + std::to_string(options_.max_body_bytes) +
                          " bytes (webhooks.max_body_bytes)");
  }
  return std::nullopt;
}

IntakeResult WebhookIntake::Handle(const WebhookHeaders& headers, std::string_view body) {
  const WebhookRequest request{headers, body};
  return std::move(HandleAll({&request, 1})[0]);
}

std::vector<IntakeResult> WebhookIntake::HandleAll(std::span<const WebhookRequest> requests) {
  std::vector<IntakeResult> results;
  results.reserve(requests.size());
  std::vector<queue::Delivery> deliveries;
  for (const WebhookRequest& r : requests) {
    results.push_back(Decide(r.headers, r.body));
    if (results.back().status == 0) deliveries.push_back(*std::move(results.back().accepted));
  }
  if (deliveries.empty()) return results;
  Result<std::vector<queue::DeliveryStore::AppendOutcome>> outcomes = store_.AppendAll(deliveries);
  std::size_t next = 0;
  for (IntakeResult& result : results) {
    if (result.status != 0) continue;
    queue::Delivery& d = deliveries[next++];
    result = outcomes.ok() ? Recorded(std::move(d), (*outcomes)[next - 1])
                           : Recorded(std::move(d), outcomes.status());
  }
  return results;
}

IntakeResult WebhookIntake::Decide(const WebhookHeaders& headers, std::string_view body) const {
  if (auto early = CheckBeforeBody(headers, body.size())) return *std::move(early);
  // The body's digest, for the replay check: its verified HMAC (a replay repeats the
  // signature with the body), or, when unsigned deliveries are allowed, its SHA-256.
  std::string digest;
  if (!options_.allow_unsigned) {
    if (headers.signature.empty()) {
      return Reply(401,
                   "missing X-Hub-Signature-256 header: configure the webhook secret on GitHub");
    }
    std::optional<std::string> mac = signature_.VerifiedMac(body, headers.signature);
    if (!mac) {
      return Reply(401, "X-Hub-Signature-256 does not match the body: check the webhook secret");
    }
    digest = *std::move(mac);
  } else {
    digest = Sha256Hex(body);
  }
  if (headers.event.empty()) return Reply(400, "missing X-GitHub-Event header");
  if (headers.delivery.empty()) return Reply(400, "missing X-GitHub-Delivery header");
  if (headers.event == "ping") return Reply(200, "pong");
  if (!IsKnownEvent(headers.event)) return Ignore(headers, "", "event not handled");
  PayloadFields fields;
  std::string why;
  if (!ExtractPayloadFields(body, &fields, &why)) {
    return Reply(400, "body of delivery " + headers.delivery + " " + why);
  }
  queue::Delivery d{headers.delivery,
                    headers.event,
                    std::move(fields.action),
                    std::move(fields.repository),
                    0,
                    std::move(fields.trigger)};
  if (!IsHandled(d.event, d.action)) return Ignore(headers, d.action, "action not handled");
  if (!RepositoryAllowed(d.repository)) {
    log::Warn("webhook.repository_refused",
              {{"delivery", d.id}, {"event", d.event}, {"repository", d.repository}});
    return Reply(403, "repository '" + d.repository +
                          "' is not in webhooks.allowed_repositories; delivery ignored");
  }
  if (auto stale = StaleCommand(d, fields.comment_created_at)) return *std::move(stale);
  d.received_unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count();
  d.digest = options_.refuse_replays ? std::move(digest) : digest + " " + d.id;
  return IntakeResult{0, "", std::move(d)};
}

IntakeResult WebhookIntake::Recorded(queue::Delivery d,
                                     const Result<queue::DeliveryStore::AppendOutcome>& outcome) {
  if (!outcome.ok()) {
    log::Error("webhook.record_failed",
               {{"delivery", d.id}, {"error", outcome.status().message()}});
    return Reply(503, "could not record delivery " + d.id + "; redeliver it later");
  }
  if (*outcome == queue::DeliveryStore::AppendOutcome::kReplay) {
    log::Warn("webhook.replay_refused",
              {{"delivery", d.id}, {"event", d.event}, {"digest", d.digest}});
    return Reply(409, "delivery " + d.id +
                          " repeats the body of a delivery already recorded under another "
                          "X-GitHub-Delivery id: a replay; ignored (GitHub redelivers with the "
                          "same id)");
  }
  if (*outcome == queue::DeliveryStore::AppendOutcome::kDuplicate) {
    return Reply(200, "delivery " + d.id + " was already recorded");
  }
  d.body.clear();
  return IntakeResult{202, "delivery " + d.id + " recorded", std::move(d)};
}

IntakeResult WebhookIntake::Ignore(const WebhookHeaders& headers, std::string_view action,
                                   std::string why) const {
  log::Info("webhook.ignored", {{"delivery", headers.delivery},
                                {"event", headers.event},
                                {"action", action},
                                {"reason", why}});
  return Reply(204, std::move(why));
}

std::optional<IntakeResult> WebhookIntake::StaleCommand(const queue::Delivery& d,
                                                        std::string_view created_at) const {
  if (d.event != "issue_comment" || created_at.empty()) return std::nullopt;
  Result<long long> created = ParseUtcIso8601(created_at);
  if (!created.ok()) {
    return Reply(400,
                 "body of delivery " + d.id + ": comment.created_at " + created.status().message());
  }
  const long long now = clock_.UnixMillis() / 1000;
  const long long max_age = std::chrono::seconds(options_.max_command_age).count();
  if (now - *created <= max_age) return std::nullopt;
  log::Warn("webhook.replay_refused",
            {{"delivery", d.id}, {"event", d.event}, {"comment_created_at", created_at}});
  return Reply(409, "delivery " + d.id + " carries a comment created at " +
                        std::string(created_at) + ", more than " +
                        std::to_string(options_.max_command_age.count()) +
                        " h ago: a replayed command; ignored (comment again to run it)");
}

bool WebhookIntake::RepositoryAllowed(std::string_view full_name) const {
  if (full_name.empty()) return false;
  const std::string name = Lower(full_name);
  return std::any_of(options_.allowed_repositories.begin(), options_.allowed_repositories.end(),
                     [&](const std::string& allowed) { return Lower(allowed) == name; });
}

Result<WebhookIntakeOptions> WebhookIntakeOptionsFromConfig(const config::Config& config,
                                                            bool binds_loopback) {
  const config::WebhookConfig& w = config.webhooks;
  WebhookIntakeOptions options;
  options.secret = w.secret;
  options.max_body_bytes = w.max_body_bytes;
  options.allowed_repositories = w.allowed_repositories;
  if (options.allowed_repositories.empty() && !config.forge.github_repository.empty()) {
    options.allowed_repositories.push_back(config.forge.github_repository);
  }
  if (w.secret.empty()) {
    if (!(config.auth.mode == "none" && binds_loopback)) {
      return InvalidArgument(
          "webhooks.secret is empty: set it (the same secret as in the GitHub webhook "
          "settings); unsigned webhooks are accepted only with auth.mode none on a loopback bind");
    }
    options.allow_unsigned = true;
    log::Warn("webhook.unsigned_mode", {{"reason", "auth.mode none on a loopback bind"}});
  }
  return options;
}

}  // namespace datamcp::bot
