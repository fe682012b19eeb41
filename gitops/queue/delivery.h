#pragma once

#include <cstdint>
#include <string>

namespace datamcp::queue {

// One GitHub webhook delivery as recorded by the intake. The payload only triggers work:
// whoever handles it re-reads the pull request, commits and files from the forge and git.
struct Delivery {
  std::string id;          // X-GitHub-Delivery (a GUID); the deduplication key
  std::string event;       // X-GitHub-Event, e.g. "pull_request"
  std::string action;      // payload "action"; empty for events without one (push)
  std::string repository;  // payload repository.full_name ("owner/name")
  std::int64_t received_unix_ms = 0;
  // The payload's fields the bot acts on, as a JSON object in GitHub's shape (the intake
  // keeps only those: bot/webhooks/payload_fields.h).
  std::string body;
  // Lower-case hex SHA-256 of the signed request body as received: a second delivery id with
  // the same body is a replay (DeliveryStore refuses it). Empty: not checked.
  std::string digest;

  bool operator==(const Delivery&) const = default;
};

}  // namespace datamcp::queue
