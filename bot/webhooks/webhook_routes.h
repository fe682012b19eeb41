#pragma once

#include "bot/http/http_front.h"
#include "bot/webhooks/webhook_intake.h"

namespace datamcp::bot {

inline constexpr char kWebhookPath[] = "/webhooks/github";

// Serves POST /webhooks/github with `intake` (which must outlive the server). Content-Type
// and Content-Length are checked before the body is read (415 before 413); a body that turns
// out longer than the limit while streaming stops reading at the limit (413). A body within
// the limit is drained after an early rejection (the connection stays usable); one over it is
// never read and the response says Connection: close.
//
// Keep-alive deliveries that arrive whole are served in the front's event loops, each
// wake-up's in one batch (WebhookIntake::HandleAll: one commit), with the same answers.
//
// The front's payload limit (HttpFront::SetPayloadLimit) must be at least
// intake.max_body_bytes(), or httplib answers 413 itself for bodies between the two.
void RegisterWebhookRoutes(HttpFront& front, WebhookIntake& intake);

}  // namespace datamcp::bot
