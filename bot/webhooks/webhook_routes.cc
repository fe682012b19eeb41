#include "bot/webhooks/webhook_routes.h"

#include <charconv>
#include <optional>
#include <string>

#include "gitops/common/log.h"

namespace datamcp::bot {
namespace {

WebhookHeaders HeadersOf(const httplib::Request& req) {
  return WebhookHeaders{
      req.get_header_value("Content-Type"), req.get_header_value("X-GitHub-Event"),
      req.get_header_value("X-GitHub-Delivery"), req.get_header_value("X-Hub-Signature-256")};
}

// nullopt when absent; sets *valid false when present but not a number.
std::optional<std::size_t> ContentLength(const httplib::Request& req, bool* valid) {
  *valid = true;
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Content-Length");
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty()) {
    *valid = false;
    return std::nullopt;
  }
  return n;
}

// 202 and 204 have no body: GitHub shows the status, and httplib sends headers and body in
// two writes, so a body costs the intake a second send on its hottest path.
bool HasBody(const IntakeResult& r) { return r.status != 204 && r.status != 202; }
constexpr char kTextPlain[] = "text/plain; charset=utf-8";

void Log(const WebhookHeaders& h, const IntakeResult& r) {
  // Accepted deliveries are logged at debug: each is already in the delivery store, and a
  // line per delivery costs the intake a tenth of its throughput (tests/bench/webhooks).
  const log::Level level = r.status >= 400 ? log::Level::kWarn : log::Level::kDebug;
  if (!log::Enabled(level) || (level == log::Level::kDebug && !r.accepted)) return;
  nlohmann::json fields = {
      {"status", r.status}, {"delivery", h.delivery}, {"event", h.event}, {"message", r.message}};
  if (r.accepted) {
    fields["action"] = r.accepted->action;
    fields["repository"] = r.accepted->repository;
  }
  log::Event(level, r.status >= 400 ? "webhook.rejected" : "webhook.accepted", fields);
}

void Send(const WebhookHeaders& h, const IntakeResult& r, httplib::Response& res,
          bool close_connection) {
  res.status = r.status;
  if (HasBody(r)) res.set_content(r.message + "\n", kTextPlain);
  if (close_connection) res.set_header("Connection", "close");
  Log(h, r);
}

std::string HeaderOf(const RequestHead& head, std::string_view name) {
  return std::string(head.Header(name).value_or(""));
}

// The event loops' batch: each request as Serve would answer it once its body is read.
void ServeBatch(WebhookIntake& intake, std::span<InlineExchange> batch) {
  std::vector<WebhookRequest> requests;
  requests.reserve(batch.size());
  for (const InlineExchange& ex : batch) {
    requests.push_back(WebhookRequest{
        WebhookHeaders{HeaderOf(ex.head, "Content-Type"), HeaderOf(ex.head, "X-GitHub-Event"),
                       HeaderOf(ex.head, "X-GitHub-Delivery"),
                       HeaderOf(ex.head, "X-Hub-Signature-256")},
        ex.body});
  }
  std::vector<IntakeResult> results = intake.HandleAll(requests);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    InlineExchange& ex = batch[i];
    ex.status = results[i].status;
    if (HasBody(results[i])) {
      ex.content_type = kTextPlain;
      ex.response_body = results[i].message + "\n";
    }
    Log(requests[i].headers, results[i]);
  }
}

// Reads the body into `body` (nullptr: discard it), stopping at `limit`. False when the body
// is longer than `limit` or could not be read; *over_limit tells which.
bool ReadBody(const httplib::ContentReader& reader, std::size_t limit, std::string* body,
              bool* over_limit) {
  std::size_t total = 0;
  *over_limit = false;
  return reader([&](const char* data, std::size_t n) {
    if (total + n > limit) {
      *over_limit = true;
      return false;
    }
    total += n;
    if (body) body->append(data, n);
    return true;
  });
}

// A rejection decided from the headers. The body is drained when it is within the limit so
// the keep-alive connection stays usable; otherwise the response says Connection: close
// (httplib cannot be told to drop the socket, so it then fails on the unread bytes and
// closes it).
void RejectEarly(const httplib::ContentReader& reader, const WebhookHeaders& headers,
                 const IntakeResult& early, std::optional<std::size_t> length, std::size_t limit,
                 httplib::Response& res) {
  bool over_limit = early.status == 413;
  bool drained = false;
  if (!over_limit && (!length || *length <= limit)) {
    drained = ReadBody(reader, limit, nullptr, &over_limit);
  }
  Send(headers, early, res, /*close_connection=*/!drained);
}

void Serve(WebhookIntake& intake, const httplib::Request& req, httplib::Response& res,
           const httplib::ContentReader& reader) {
  const WebhookHeaders headers = HeadersOf(req);
  bool length_valid = true;
  const std::optional<std::size_t> length = ContentLength(req, &length_valid);
  if (!length_valid) return Send(headers, {400, "Content-Length is not a number", {}}, res, true);
  const std::size_t limit = intake.max_body_bytes();
  if (auto early = intake.CheckBeforeBody(headers, length)) {
    return RejectEarly(reader, headers, *early, length, limit, res);
  }
  std::string body;
  if (length) body.reserve(*length);
  bool over_limit = false;
  const bool read = ReadBody(reader, limit, &body, &over_limit);
  if (over_limit) {
    return Send(
        headers,
        {413,
         "body is over the limit of " + std::to_string(limit) + " bytes (webhooks.max_body_bytes)",
         {}},
        res, true);
  }
  if (!read && res.status == 413) {  // httplib's own set_payload_max_length fired first
    return Send(headers, {413, "body is over the server's payload limit", {}}, res, true);
  }
  if (!read) return Send(headers, {400, "could not read the request body", {}}, res, true);
  Send(headers, intake.Handle(headers, body), res, false);
}

}  // namespace

void RegisterWebhookRoutes(HttpFront& front, WebhookIntake& intake) {
  front.ServeInline("POST", kWebhookPath, intake.max_body_bytes(),
                    [&intake](std::span<InlineExchange> batch) { ServeBatch(intake, batch); });
  front.server().Post(kWebhookPath, [&intake](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& reader) {
    Serve(intake, req, res, reader);
  });
}

}  // namespace datamcp::bot
