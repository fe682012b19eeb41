#include "gitops/forge/github_http.h"

#include <httplib.h>

#include <algorithm>
#include <regex>

#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/common/utc_time.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool IsLoopback(const std::string& host_port) {
  std::string host = host_port[0] == '[' ? host_port.substr(0, host_port.find(']') + 1)
                                         : host_port.substr(0, host_port.find(':'));
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

std::optional<long long> ParseInt(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(s);
}

// GitHub's error message from an error body, if any.
std::string GithubMessage(const std::string& body) {
  json j = ParseJsonOrDiscarded(body);
  if (j.is_discarded() || !j.is_object()) return body.substr(0, 200);
  std::string msg =
      j.contains("message") && j["message"].is_string() ? j["message"].get<std::string>() : "";
  if (j.contains("errors") && j["errors"].is_array()) msg += " " + j["errors"].dump();
  return msg.substr(0, 500);
}

Status StatusFor(int status, std::string_view method, const std::string& path,
                 const std::string& body) {
  std::string what = "GitHub answered " + std::to_string(status) + " to " + std::string(method) +
                     " " + path + ": " + GithubMessage(body);
  switch (status) {
    case 401:
      return Unauthenticated(what + " (check the forge token or GitHub App key)");
    case 403:
      return PermissionDenied(what + " (the token lacks a permission)");
    case 404:
      return NotFound(what);
    case 409:
      return Conflict(what);
    case 422:
      return InvalidArgument(what);
    default:
      break;
  }
  if (status >= 500) return Unavailable(what);
  return Internal(what);
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

GithubHttp::GithubHttp(const GithubHttpOptions& options, Clock& clock)
    : options_(options), clock_(clock) {}

GithubHttp::~GithubHttp() = default;

Result<std::unique_ptr<GithubHttp>> GithubHttp::Create(const GithubHttpOptions& options,
                                                       Clock& clock) {
  static const std::regex kUrl(R"(^(https?)://([A-Za-z0-9.\-\[\]:]+)(/[^?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(options.api_url, m, kUrl)) {
    return InvalidArgument("forge.github_api_url '" + options.api_url +
                           "' is not an http(s) URL; use e.g. https://api.github.com or "
                           "https://github.example.com/api/v3");
  }
  if (m[1] == "http" && !IsLoopback(m[2])) {
    return InvalidArgument("forge.github_api_url '" + options.api_url +
                           "' uses plain http to a non-loopback host; use https");
  }
  if (options.max_attempts < 1) return InvalidArgument("GitHub max_attempts must be >= 1");
  std::unique_ptr<GithubHttp> http(new GithubHttp(options, clock));
  http->origin_ = std::string(m[1]) + "://" + std::string(m[2]);
  http->base_path_ = m[3];
  while (!http->base_path_.empty() && http->base_path_.back() == '/') http->base_path_.pop_back();
  http->api_url_ = http->origin_ + http->base_path_;
  http->client_ = std::make_unique<httplib::Client>(http->origin_);
  if (!http->client_->is_valid()) {
    return InvalidArgument("cannot make an HTTP client for " + http->origin_);
  }
  if (!options.ca_file.empty()) http->client_->set_ca_cert_path(options.ca_file);
  http->client_->enable_server_certificate_verification(true);
  http->client_->set_connection_timeout(options.connect_timeout.count());
  http->client_->set_read_timeout(options.read_timeout.count());
  http->client_->set_write_timeout(options.read_timeout.count());
  return http;
}

Result<GithubHttp::Answer> GithubHttp::SendOnce(std::string_view method,
                                                const std::string& full_path,
                                                const std::string& body, const Secret& token) {
  httplib::Request req;
  req.method = std::string(method);
  req.path = full_path;
  req.headers = {{"Accept", "application/vnd.github+json"},
                 {"X-GitHub-Api-Version", "2022-11-28"},
                 {"User-Agent", "datamcp"}};
  if (!token.empty()) req.headers.emplace("Authorization", "Bearer " + token.Reveal());
  if (method == "POST" || method == "PATCH" || method == "PUT") {
    req.headers.emplace("Content-Type", "application/json");
    req.body = body;
  }
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool sent;
  {
    std::lock_guard lock(mu_);
    sent = client_->send(req, res, error);
  }
  if (!sent) {
    return Unavailable("cannot reach GitHub at " + api_url_ + " for " + std::string(method) + " " +
                       full_path + ": " + httplib::to_string(error));
  }
  Answer a;
  a.status = res.status;
  a.body = std::move(res.body);
  a.retry_after = res.get_header_value("Retry-After");
  a.remaining = res.get_header_value("X-RateLimit-Remaining");
  a.reset = res.get_header_value("X-RateLimit-Reset");
  a.link = res.get_header_value("Link");
  return a;
}

std::optional<GithubHttp::RateLimit> GithubHttp::RateLimitOf(const Answer& a) const {
  if (a.status != 403 && a.status != 429) return std::nullopt;
  long long now = clock_.UnixSeconds();
  auto after = [&](long long secs) {
    return RateLimit{duration_cast<milliseconds>(seconds(secs)), now + secs};
  };
  if (auto retry_after = ParseInt(a.retry_after)) return after(*retry_after);
  if (a.remaining == "0") {
    auto reset = ParseInt(a.reset);
    if (!reset) return after(60);  // GitHub's advice: wait at least a minute
    return RateLimit{duration_cast<milliseconds>(seconds(std::max(*reset - now, 0LL) + 1)), *reset};
  }
  // Secondary limits without headers: GitHub says wait at least a minute.
  if (a.status == 429 || a.body.find("secondary rate limit") != std::string::npos) {
    return after(60);
  }
  return std::nullopt;
}

Clock::Duration GithubHttp::Backoff(int attempt, const Result<Answer>& answer) const {
  if (answer.ok() && answer->status == 503) {
    if (auto after = ParseInt(answer->retry_after)) {
      return std::min<Clock::Duration>(seconds(*after), options_.max_rate_limit_wait);
    }
  }
  return std::min<Clock::Duration>(options_.initial_backoff * (1LL << std::min(attempt - 1, 20)),
                                   options_.max_backoff);
}

Status GithubHttp::RateLimitError(std::string_view method, const std::string& path,
                                  const RateLimit& limit) const {
  return ResourceExhausted(
      "GitHub rate limit hit on " + std::string(method) + " " + path + "; it resets at " +
      FormatUtcIso8601(limit.reset_unix_seconds) + " (in " +
      std::to_string(duration_cast<seconds>(limit.wait).count()) + " s), beyond the " +
      std::to_string(duration_cast<seconds>(options_.max_rate_limit_wait).count()) +
      " s the forge waits; retry after the reset");
}

Result<GithubHttp::Answer> GithubHttp::Send(std::string_view method, const std::string& full_path,
                                            const json* body, const Secret& token) {
  std::string payload = body ? body->dump() : "";
  int attempt = 0, rate_waits = 0;
  while (true) {
    ++attempt;
    Result<Answer> answer = SendOnce(method, full_path, payload, token);
    if (answer.ok() && answer->status < 500) {
      std::optional<RateLimit> limit = RateLimitOf(*answer);
      if (!limit) return answer;
      if (limit->wait > options_.max_rate_limit_wait ||
          rate_waits >= options_.max_rate_limit_waits) {
        return RateLimitError(method, full_path, *limit);
      }
      ++rate_waits;
      --attempt;  // waiting out a rate limit is not a failed attempt
      log::Warn("github_rate_limited", {{"method", method},
                                        {"path", full_path},
                                        {"wait_ms", limit->wait.count()},
                                        {"reset", FormatUtcIso8601(limit->reset_unix_seconds)}});
      clock_.SleepFor(limit->wait);
      continue;
    }
    if (attempt >= options_.max_attempts) {
      if (!answer.ok()) return answer.status();
      return StatusFor(answer->status, method, full_path, answer->body)
          .WithContext("after " + std::to_string(attempt) + " attempts");
    }
    Clock::Duration backoff = Backoff(attempt, answer);
    log::Warn("github_retry",
              {{"method", method},
               {"path", full_path},
               {"reason", answer.ok() ? std::to_string(answer->status) : "connection error"},
               {"attempt", attempt},
               {"backoff_ms", backoff.count()}});
    clock_.SleepFor(backoff);
  }
}

Result<json> GithubHttp::Call(std::string_view method, const std::string& path, const json* body,
                              const Secret& token) {
  DATAMCP_ASSIGN_OR_RETURN(Answer a, Send(method, base_path_ + path, body, token));
  if (a.status < 200 || a.status >= 300) return StatusFor(a.status, method, path, a.body);
  if (a.status == 204 || a.body.empty()) return json(nullptr);
  json j = ParseJsonOrDiscarded(a.body);
  if (j.is_discarded()) {
    return Internal("GitHub sent a body that is not JSON for " + std::string(method) + " " + path);
  }
  return j;
}

Result<std::string> GithubHttp::NextPage(const std::string& link) const {
  static const std::regex kNext(R"re(<([^>]+)>;\s*rel="next")re");
  std::smatch m;
  if (!std::regex_search(link, m, kNext)) return std::string();
  std::string url = m[1];
  if (url.rfind(origin_ + "/", 0) != 0) {
    return Internal("GitHub pagination link '" + url + "' leaves " + origin_ +
                    "; refusing to follow it");
  }
  return url.substr(origin_.size());
}

Result<json> GithubHttp::GetAll(const std::string& path, const Secret& token) {
  std::string next =
      base_path_ + path + (path.find('?') == std::string::npos ? "?" : "&") + "per_page=100";
  json all = json::array();
  for (int page = 0; !next.empty(); ++page) {
    if (page >= 1000) return Internal("GitHub list " + path + " has more than 1000 pages");
    DATAMCP_ASSIGN_OR_RETURN(Answer a, Send("GET", next, nullptr, token));
    if (a.status != 200) return StatusFor(a.status, "GET", next, a.body);
    json j = ParseJsonOrDiscarded(a.body);
    if (j.is_discarded() || !j.is_array()) {
      return Internal("GitHub sent a list that is not a JSON array for GET " + next);
    }
    for (auto& item : j) all.push_back(std::move(item));
    DATAMCP_ASSIGN_OR_RETURN(next, NextPage(a.link));
  }
  return all;
}

}  // namespace datamcp::forge
