#include "bot/mcp/stdio_transport.h"

#include <atomic>
#include <exception>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "bot/mcp/json_rpc.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"

namespace datamcp::bot::mcp {

namespace {

constexpr std::size_t kMaxLineBytes = 4u << 20;
constexpr int kMaxConcurrentCalls = 4;

class LineOutbound final : public Outbound {
 public:
  explicit LineOutbound(std::ostream& out) : out_(out) {}
  void Send(const json& message) override {
    std::lock_guard lock(mu_);
    out_ << message.dump() << '\n';
    out_.flush();
  }

 private:
  std::mutex mu_;
  std::ostream& out_;
};

json HandleLine(const std::string& line, const McpServer& server, Session& session,
                const Principal& principal, Outbound& out) {
  if (line.size() > kMaxLineBytes) {
    return MakeError(nullptr, rpc::kInvalidRequest, "message larger than 4 MiB");
  }
  Result<json> parsed = ParseJson(line, "the line");
  if (!parsed.ok()) {
    return MakeError(nullptr, ParseErrorCode(parsed.status()), ParseErrorMessage(parsed.status()));
  }
  const json& msg = *parsed;
  if (msg.is_array()) {
    return MakeError(nullptr, rpc::kInvalidRequest,
                     "Invalid Request: JSON-RPC batches are not supported; send one message "
                     "per line");
  }
  Reply reply;
  try {
    reply = server.Handle(session, principal, msg, out);
  } catch (const std::exception& e) {  // a bug: keep serving the other requests
    log::Error("mcp.stdio_exception", {{"what", e.what()}});
    return MakeError(IdOf(msg), rpc::kInternalError, "internal error; see the server log");
  }
  // A cancelled request gets no response (the spec's SHOULD).
  return reply.message && !reply.cancelled ? *reply.message : json();
}

}  // namespace

bool IsToolCall(const std::string& line) {
  return line.find("\"tools/call\"") != std::string::npos;
}

int RunStdio(std::istream& in, std::ostream& out, const McpServer& server,
             const Principal& principal) {
  Session session("stdio", principal.subject);
  LineOutbound outbound(out);
  log::Info("mcp.stdio_start", {{"subject", principal.subject}});
  // Tool calls run on their own threads (at most kMaxConcurrentCalls) so the reader keeps
  // reading and notifications/cancelled reaches a running call; everything else runs inline.
  std::list<std::thread> calls;
  std::atomic<int> running{0};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto handle = [&, line] {
      json response = HandleLine(line, server, session, principal, outbound);
      if (!response.is_null()) outbound.Send(response);
    };
    if (IsToolCall(line) && running.load() < kMaxConcurrentCalls) {
      ++running;
      calls.emplace_back([handle, &running] {
        handle();
        --running;
      });
    } else {
      handle();
    }
  }
  for (auto& t : calls) t.join();
  session.Close();
  log::Info("mcp.stdio_end", json::object());
  return 0;
}

}  // namespace datamcp::bot::mcp
