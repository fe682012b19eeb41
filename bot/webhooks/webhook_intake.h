#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/webhooks/signature.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"
#include "gitops/config/config.h"
#include "gitops/queue/delivery.h"
#include "gitops/queue/delivery_store.h"

namespace datamcp::bot {

struct WebhookIntakeOptions {
  Secret secret;
  // Development only: accept unsigned deliveries. Allowed only when the server binds a
  // loopback address with auth.mode "none" (see WebhookIntakeOptionsFromConfig).
  bool allow_unsigned = false;
  std::vector<std::string> allowed_repositories;  // "owner/name", compared case-insensitively
  std::size_t max_body_bytes = 25u << 20;
  // An issue_comment command whose comment.created_at is older than this is refused (409):
  // beyond the delivery store's dedup window a replayed body is no longer recognised by its
  // digest, and GitHub redelivers for 3 days only. Keep it <= DeliveryStoreOptions::dedup_window.
  std::chrono::hours max_command_age{72};
  // False only in the webhook benchmark, which posts one signed body under many delivery ids:
  // the recorded digest then carries the id too, so the cost is the same but nothing is a
  // replay.
  bool refuse_replays = true;
};

// Builds the options from the configuration (`binds_loopback`: config.BindsLoopback()).
// InvalidArgument (one line, naming the key) when webhooks.secret is empty, unless the
// server binds loopback with auth.mode "none" (then unsigned deliveries are accepted); when
// webhooks.allowed_repositories is empty the forge's repository is allowed, and when that is
// empty too no repository is (every delivery but ping is refused with 403).
Result<WebhookIntakeOptions> WebhookIntakeOptionsFromConfig(const config::Config& config,
                                                            bool binds_loopback);

// The request headers the intake reads (names as GitHub sends them).
struct WebhookHeaders {
  std::string content_type;  // Content-Type
  std::string event;         // X-GitHub-Event
  std::string delivery;      // X-GitHub-Delivery
  std::string signature;     // X-Hub-Signature-256
};

// One request to the intake.
struct WebhookRequest {
  WebhookHeaders headers;
  std::string_view body;
};

struct IntakeResult {
  int status = 500;
  std::string message;  // one line for the response body and the log
  // Set when the delivery was newly recorded (body left empty).
  std::optional<queue::Delivery> accepted;
};

// Decides what to answer GitHub, without HTTP: so it can be tested with plain structs.
//   415 Content-Type is not application/json      413 body over max_body_bytes
//   401 signature missing or wrong                 400 no event / delivery id, body not JSON
//   200 ping                                       204 event or action not handled (logged)
//   403 repository not allowlisted                 202 recorded (200 if already recorded)
//   409 a replay: the same signed body was recorded under another delivery id, or a comment
//       command older than max_command_age (docs/webhooks.md, "Replays")
// (the HTTP route sends no body with 202 and 204; the message goes to the log)
//   503 the store could not record it (GitHub shows the failure; redeliver later)
// Handled: pull_request opened/reopened/synchronize/ready_for_review/closed,
// issue_comment created, check_run rerequested, workflow_run completed, push.
// Thread-safe (the store is).
class WebhookIntake {
 public:
  WebhookIntake(WebhookIntakeOptions options, queue::DeliveryStore& store, Clock& clock);

  // Checks what can be checked before the body is read (content type, declared length).
  // Returns the rejection to send, or nullopt to go on and read the body.
  std::optional<IntakeResult> CheckBeforeBody(const WebhookHeaders& headers,
                                              std::optional<std::size_t> content_length) const;

  // Full decision on a complete request. Records accepted deliveries in the store.
  IntakeResult Handle(const WebhookHeaders& headers, std::string_view body);
  // Handle of each request, in order, recording the accepted ones in one transaction (so a
  // batch costs one commit): one result each, as if handled one after another.
  std::vector<IntakeResult> HandleAll(std::span<const WebhookRequest> requests);

  std::size_t max_body_bytes() const { return options_.max_body_bytes; }

  // Whether the bot acts on (event, action); ping is answered but not acted on.
  static bool IsHandled(std::string_view event, std::string_view action);

 private:
  // Everything Handle decides before the store: the answer, or (status 0) the delivery to
  // record in `accepted`.
  IntakeResult Decide(const WebhookHeaders& headers, std::string_view body) const;
  // The answer to a decided delivery, from how the store took it.
  static IntakeResult Recorded(queue::Delivery d,
                               const Result<queue::DeliveryStore::AppendOutcome>& outcome);
  bool RepositoryAllowed(std::string_view full_name) const;
  // The refusal of a comment command created before the window, or nullopt.
  std::optional<IntakeResult> StaleCommand(const queue::Delivery& d,
                                           std::string_view created_at) const;
  IntakeResult Ignore(const WebhookHeaders& headers, std::string_view action,
                      std::string why) const;

  const WebhookIntakeOptions options_;
  const WebhookSignature signature_;
  queue::DeliveryStore& store_;
  Clock& clock_;
};

}  // namespace datamcp::bot
