#include "gitops/git/send_pack.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace datamcp::git {
namespace {

constexpr int kTimeoutSeconds = 60;

std::string Pkt(const std::string& payload) {
  char len[5];
  std::snprintf(len, sizeof(len), "%04zx", payload.size() + 4);
  return std::string(len, 4) + payload;
}

// Reads one pkt-line at `*pos`; returns false at a flush (or end), sets *ok=false on garbage.
bool NextPkt(const std::string& data, size_t* pos, std::string* line, bool* ok) {
  *ok = true;
  if (*pos + 4 > data.size()) return false;
  unsigned len = 0;
  if (std::sscanf(data.substr(*pos, 4).c_str(), "%4x", &len) != 1) {
    *ok = false;
    return false;
  }
  if (len == 0) {
    *pos += 4;
    return false;
  }
  if (len < 4 || *pos + len > data.size()) {
    *ok = false;
    return false;
  }
  *line = data.substr(*pos + 4, len - 4);
  if (!line->empty() && line->back() == '\n') line->pop_back();
  *pos += len;
  return true;
}

struct Url {
  std::string scheme, host, port, path;
};

Url ParseUrl(const std::string& url) {
  Url u;
  size_t p = url.find("://");
  u.scheme = url.substr(0, p);
  std::string rest = url.substr(p + 3);
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  size_t at = hostport.rfind('@');
  if (at != std::string::npos) hostport = hostport.substr(at + 1);  // never echo userinfo
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  u.host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  u.port = colon == std::string::npos ? "" : hostport.substr(colon + 1);
  return u;
}

// Reads pkt-lines from `fd` up to and including the first flush (deadline per read).
Result<std::string> ReadPktsUntilFlush(int fd, const std::string& peer) {
  std::string out;
  size_t pos = 0;
  while (true) {
    while (out.size() >= pos + 4) {
      unsigned len = 0;
      if (std::sscanf(out.substr(pos, 4).c_str(), "%4x", &len) != 1) {
        return Internal("the git server sent a malformed reply");
      }
      if (len == 0) return out.substr(0, pos + 4);
      if (out.size() < pos + len) break;
      pos += len;
    }
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, kTimeoutSeconds * 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return DeadlineExceeded(peer + " did not answer within 60 s");
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable(peer + " closed the connection (repository missing?)");
    out.append(buf, static_cast<size_t>(n));
  }
}

Status SendAll(int fd, const std::string& data, const std::string& peer) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable("connection to " + peer + " lost while pushing");
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// A receive-pack conversation: the advertisement, then one request and its reply.
class Channel {
 public:
  virtual ~Channel() = default;
  virtual Result<std::string> Advertisement() = 0;
  virtual Result<std::string> Exchange(const std::string& request) = 0;
};

class GitChannel final : public Channel {
 public:
  explicit GitChannel(Url url) : url_(std::move(url)) {}
  ~GitChannel() override {
    if (fd_ >= 0) close(fd_);
  }

  Result<std::string> Advertisement() override {
    DATAMCP_RETURN_IF_ERROR(Connect());
    std::string port = url_.port.empty() ? "9418" : url_.port;
    std::string hello =
        "git-receive-pack " + url_.path + '\0' + "host=" + url_.host + ":" + port + '\0';
    DATAMCP_RETURN_IF_ERROR(Write(Pkt(hello)));
    return ReadUntilFlush();
  }

  Result<std::string> Exchange(const std::string& request) override {
    DATAMCP_RETURN_IF_ERROR(Write(request));
    return ReadUntilFlush();
  }

 private:
  Status Connect() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = url_.port.empty() ? "9418" : url_.port;
    if (getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &res) != 0) {
      return Unavailable("cannot resolve git host '" + url_.host + "'");
    }
    for (addrinfo* a = res; a; a = a->ai_next) {
      fd_ = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ < 0) continue;
      timeval tv{kTimeoutSeconds, 0};
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      if (connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
      close(fd_);
      fd_ = -1;
    }
    freeaddrinfo(res);
    if (fd_ < 0) return Unavailable("cannot connect to " + url_.host + ":" + port);
    return Status::Ok();
  }

  Status Write(const std::string& data) { return SendAll(fd_, data, url_.host); }

  Result<std::string> ReadUntilFlush() {
    return ReadPktsUntilFlush(fd_, "the git server at " + url_.host);
  }

  Url url_;
  int fd_ = -1;
};

// `git receive-pack` for file:// remotes, so the remote's hooks run exactly as they do behind
// a server. It runs as git http-backend runs it (--stateless-rpc: one child for the
// advertisement, one for the request), each through the ProcessRunner like every other child:
// argv only, the environment RemoteOptions::receive_pack_env and nothing else of the server's,
// its own process group, a timeout and an output cap.
class ProcessChannel final : public Channel {
 public:
  ProcessChannel(process::ProcessRunner& runner, const RemoteOptions& options, std::string path)
      : runner_(runner), env_(options.receive_pack_env), path_(std::move(path)) {
    if (env_.empty()) env_["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  }

  Result<std::string> Advertisement() override {
    return Run({"git", "receive-pack", "--stateless-rpc", "--advertise-refs", path_}, "");
  }

  Result<std::string> Exchange(const std::string& request) override {
    return Run({"git", "receive-pack", "--stateless-rpc", path_}, request);
  }

 private:
  Result<std::string> Run(std::vector<std::string> argv, const std::string& input) {
    process::ProcessRequest req;
    req.argv = std::move(argv);
    req.env = env_;
    req.stdin_data = input;
    req.timeout = std::chrono::seconds(kTimeoutSeconds);
    req.kill_grace = std::chrono::seconds(5);
    req.max_output_bytes = kMaxOutputBytes;
    const std::string what = "git receive-pack " + path_;
    DATAMCP_ASSIGN_OR_RETURN(process::ProcessResult r, runner_.Run(req));
    if (r.timed_out) return DeadlineExceeded(what + " did not finish within 60 s");
    if (r.truncated) return ResourceExhausted(what + " answered more than 64 MiB");
    if (!r.Succeeded() && r.stdout_text.empty()) {
      std::string err = r.stderr_text.substr(0, 500);
      while (!err.empty() && err.back() == '\n') err.pop_back();
      return Unavailable(what + " " + r.Describe() + (err.empty() ? "" : ": " + err) +
                         " (repository missing?)");
    }
    return std::move(r.stdout_text);
  }

  static constexpr std::size_t kMaxOutputBytes = 64u << 20;
  process::ProcessRunner& runner_;
  std::map<std::string, std::string> env_;
  std::string path_;
};

class HttpChannel final : public Channel {
 public:
  HttpChannel(const RemoteOptions& options, Url url)
      : url_(std::move(url)),
        client_(url_.scheme + "://" + url_.host + (url_.port.empty() ? "" : ":" + url_.port)),
        redacted_url_(url_.scheme + "://" + url_.host + (url_.port.empty() ? "" : ":" + url_.port) +
                      url_.path) {
    client_.set_connection_timeout(kTimeoutSeconds);
    client_.set_read_timeout(kTimeoutSeconds);
    client_.set_write_timeout(kTimeoutSeconds);
    client_.set_keep_alive(true);
    if (!options.ca_file.empty()) client_.set_ca_cert_path(options.ca_file.c_str());
    if (!options.token.empty()) client_.set_basic_auth("x-access-token", options.token.Reveal());
    has_token_ = !options.token.empty();
  }

  Result<std::string> Advertisement() override {
    auto res = client_.Get(url_.path + "/info/refs?service=git-receive-pack");
    DATAMCP_RETURN_IF_ERROR(Check(res, "application/x-git-receive-pack-advertisement"));
    // Skip "# service=git-receive-pack" and its flush.
    size_t pos = 0;
    std::string line;
    bool ok = true;
    while (NextPkt(res->body, &pos, &line, &ok)) {
    }
    if (!ok) return Internal("malformed advertisement from " + redacted_url_);
    return res->body.substr(pos);
  }

  Result<std::string> Exchange(const std::string& request) override {
    auto res = client_.Post(url_.path + "/git-receive-pack", request,
                            "application/x-git-receive-pack-request");
    DATAMCP_RETURN_IF_ERROR(Check(res, "application/x-git-receive-pack-result"));
    return res->body;
  }

 private:
  Status Check(const httplib::Result& res, const std::string& content_type) {
    if (!res) {
      return Unavailable("cannot reach " + redacted_url_ + ": " + httplib::to_string(res.error()) +
                         (res.error() == httplib::Error::SSLServerVerification
                              ? " (the TLS certificate is not trusted; set ca_file)"
                              : ""));
    }
    if (res->status == 401 || res->status == 403) {
      return Unauthenticated(
          "authentication failed for " + redacted_url_ +
          (has_token_ ? ": the server rejected the configured credentials; check the token"
                      : ": the server requires credentials and no token is configured"));
    }
    if (res->status != 200) {
      return Unavailable("push to " + redacted_url_ + " failed with HTTP " +
                         std::to_string(res->status));
    }
    if (res->get_header_value("Content-Type") != content_type) {
      return Unavailable(redacted_url_ + " is not a smart git HTTP server (Content-Type '" +
                         res->get_header_value("Content-Type") + "')");
    }
    return Status::Ok();
  }

  Url url_;
  httplib::Client client_;
  std::string redacted_url_;
  bool has_token_ = false;
};

// Reads "unpack ok" / "ok <ref>" / "ng <ref> <reason>".
Result<PushResult> ParseReport(const std::string& data, const std::string& ref) {
  size_t pos = 0;
  std::string line;
  bool ok = true;
  PushResult result;
  result.ref = ref;
  std::string unpack;
  bool found = false;
  while (NextPkt(data, &pos, &line, &ok)) {
    if (line.rfind("unpack ", 0) == 0) unpack = line.substr(7);
    if (line == "ok " + ref) {
      result.ok = true;
      found = true;
    } else if (line.rfind("ng " + ref + " ", 0) == 0) {
      result.message = line.substr(4 + ref.size());
      found = true;
    }
  }
  if (!ok) return Internal("malformed push report from the server");
  if (!unpack.empty() && unpack != "ok") {
    result.ok = false;
    if (result.message.empty()) result.message = "unpack failed: " + unpack;
    return result;
  }
  if (!found) return Internal("the server reported no result for " + ref + "; push not confirmed");
  return result;
}

}  // namespace

bool SendPackSupports(const std::string& url) {
  return url.rfind("git://", 0) == 0 || url.rfind("http://", 0) == 0 ||
         url.rfind("https://", 0) == 0 || url.rfind("file://", 0) == 0;
}

Result<std::map<std::string, std::string>> ParseAdvertisement(const std::string& data,
                                                              size_t* consumed) {
  std::map<std::string, std::string> refs;
  size_t pos = 0;
  std::string line;
  bool ok = true;
  while (NextPkt(data, &pos, &line, &ok)) {
    size_t nul = line.find('\0');
    if (nul != std::string::npos) line.resize(nul);
    if (line.size() < 42 || line[40] != ' ') continue;
    std::string name = line.substr(41);
    if (name == "capabilities^{}") continue;
    refs[name] = line.substr(0, 40);
  }
  if (!ok) return Internal("malformed ref advertisement");
  if (consumed) *consumed = pos;
  return refs;
}

Result<PushResult> SendPack(process::ProcessRunner& runner, const RemoteOptions& options,
                            const std::string& ref, const std::string& old_oid,
                            const std::string& new_oid, const std::string& pack) {
  Url url = ParseUrl(options.url);
  std::unique_ptr<Channel> channel;
  if (url.scheme == "git") {
    channel = std::make_unique<GitChannel>(url);
  } else if (url.scheme == "file") {
    channel = std::make_unique<ProcessChannel>(runner, options, options.url.substr(7));
  } else {
    channel = std::make_unique<HttpChannel>(options, url);
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string advert, channel->Advertisement());
  DATAMCP_ASSIGN_OR_RETURN(auto refs, ParseAdvertisement(advert, nullptr));
  auto it = refs.find(ref);
  std::string actual = it == refs.end() ? "" : it->second;
  const std::string zero(40, '0');
  if (actual != old_oid) {
    if (url.scheme == "git") {
      (void)channel->Exchange("0000").ok();  // end the session cleanly
    }
    return Conflict("the remote " + ref + " is at " + (actual.empty() ? "nothing" : actual) +
                    ", expected " + (old_oid.empty() ? "nothing" : old_oid) + "; fetch and retry");
  }
  std::string command = (old_oid.empty() ? zero : old_oid) + " " + new_oid + " " + ref + '\0' +
                        "report-status agent=datamcp";
  DATAMCP_ASSIGN_OR_RETURN(std::string report, channel->Exchange(Pkt(command) + "0000" + pack));
  return ParseReport(report, ref);
}

}  // namespace datamcp::git
