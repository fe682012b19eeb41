#include "gitops/process/sandbox.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include "gitops/process/egress_bridge.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/process/process_runner.h"

namespace datamcp::process {
namespace {

namespace fs = std::filesystem;

// Top-level system paths: bound read-only when they are directories, recreated as the same
// symbolic link when they are links (merged /usr).
constexpr const char* kSystemDirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64"};
// Files of /etc a tool may need: certificates always, name resolution only with a network.
// Not /etc/passwd, /etc/shadow or anything else of the host.
constexpr const char* kCertPaths[] = {"/etc/ssl", "/etc/ca-certificates", "/etc/pki"};
constexpr const char* kNetworkPaths[] = {"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
                                         "/etc/gai.conf"};

void AddSystemPaths(std::vector<std::string>* args) {
  for (const char* dir : kSystemDirs) {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(dir, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) {
      fs::path target = fs::read_symlink(dir, ec);
      if (!ec) args->insert(args->end(), {"--symlink", target.string(), dir});
    } else {
      args->insert(args->end(), {"--ro-bind", dir, dir});
    }
  }
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

bool ParseSandboxMode(const std::string& text, SandboxMode* out) {
  if (text == "required") {
    *out = SandboxMode::kRequired;
  } else if (text == "best-effort") {
    *out = SandboxMode::kBestEffort;
  } else if (text == "off") {
    *out = SandboxMode::kOff;
  } else {
    return false;
  }
  return true;
}

void Sandbox::Configure(SandboxOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
  probed_ = available_ = false;
  reason_.clear();
}

std::vector<std::string> Sandbox::BaseArgs(bool proc, bool network) const {
  std::vector<std::string> args = {
      bwrap_,       "--unshare-all", "--unshare-user",    "--uid",        "65534", "--gid", "65534",
      "--cap-drop", "ALL",           "--die-with-parent", "--new-session"};
  if (network) args.push_back("--share-net");
  AddSystemPaths(&args);
  for (const char* p : kCertPaths) args.insert(args.end(), {"--ro-bind-try", p, p});
  if (network) {
    for (const char* p : kNetworkPaths) args.insert(args.end(), {"--ro-bind-try", p, p});
  }
  args.insert(args.end(), {"--dev", "/dev", "--tmpfs", "/tmp"});
  if (proc) args.insert(args.end(), {"--proc", "/proc"});
  return args;
}

void Sandbox::Probe(ProcessRunner& runner) {
  std::lock_guard lock(mu_);
  probed_ = true;
  available_ = false;
  if (options_.mode == SandboxMode::kOff) return;
  auto resolved = ResolveProgram(options_.bwrap_bin, options_.path);
  if (!resolved.ok()) {
    reason_ = "bubblewrap is not installed (" + resolved.status().message() + ")";
    return;
  }
  bwrap_ = *resolved;
  std::string first_error;
  for (bool proc : {true, false}) {
    ProcessRequest req;
    req.argv = BaseArgs(proc, false);
    req.argv.insert(req.argv.end(), {"--", "/bin/true"});
    req.timeout = std::chrono::seconds(20);
    req.kill_grace = std::chrono::seconds(1);
    req.max_output_bytes = 4096;
    auto r = runner.Run(req);
    if (r.ok() && r->Succeeded()) {
      available_ = true;
      fresh_proc_ = proc;
      return;
    }
    std::string why = r.ok() ? r->Describe() + ": " + r->stderr_text : r.status().message();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (first_error.empty()) first_error = why;
  }
  reason_ = "'" + bwrap_ + "' cannot create a sandbox here (" + first_error + ")";
}

std::string Sandbox::UnavailableMessage() const {
  std::string why = probed_ ? reason_ : "the sandbox was not probed";
  return "plan.sandbox is required but no sandbox mechanism works: " + why +
         ". Fix: install bubblewrap (Debian package 'bubblewrap') and allow unprivileged user "
         "namespaces (on Kubernetes: seccomp Unconfined or a profile allowing unshare/clone of "
         "user namespaces, and AppArmor unconfined where it restricts them; see the README), "
         "or set plan.bwrap_bin; or opt out explicitly with plan.sandbox: best-effort (run "
         "unconfined when bwrap fails) or off (never sandbox: plans can read every file the "
         "server can)";
}

Status Sandbox::Readiness() const {
  std::lock_guard lock(mu_);
  if (options_.mode != SandboxMode::kRequired || available_) return Status::Ok();
  return FailedPrecondition(UnavailableMessage());
}

bool Sandbox::Active() const {
  std::lock_guard lock(mu_);
  return options_.mode != SandboxMode::kOff && available_;
}

std::string Sandbox::Describe() const {
  std::lock_guard lock(mu_);
  if (options_.mode == SandboxMode::kOff) return "off (plan.sandbox: off)";
  if (!available_) {
    return std::string(options_.mode == SandboxMode::kRequired ? "unavailable, plans refused: "
                                                               : "unavailable, plans run "
                                                                 "unconfined (best-effort): ") +
           (probed_ ? reason_ : "not probed");
  }
  std::string network = !options_.allow_network          ? ", no network"
                        : options_.egress_socket.empty() ? ", network allowed"
                                                         : ", network through the egress proxy "
                                                           "(plan.allowed_hosts)";
  return "bubblewrap (" + bwrap_ + ")" + (fresh_proc_ ? "" : ", without /proc") + network;
}

Result<ProcessRequest> Sandbox::Wrap(const ProcessRequest& request) const {
  if (!request.sandbox) return request;
  std::lock_guard lock(mu_);
  if (options_.mode == SandboxMode::kOff) return request;
  if (!available_) {
    if (options_.mode == SandboxMode::kBestEffort) return request;
    return FailedPrecondition(UnavailableMessage());
  }
  if (request.argv.empty()) return InvalidArgument("process request has an empty argv");
  auto path_it = request.env.find("PATH");
  DATAMCP_ASSIGN_OR_RETURN(
      std::string program,
      ResolveProgram(request.argv[0], path_it == request.env.end() ? "" : path_it->second));
  program = fs::absolute(program).lexically_normal().string();
  const SandboxPolicy& policy = *request.sandbox;
  ProcessRequest out = request;
  out.sandbox.reset();
  bool network = policy.network && options_.allow_network;
  bool proxied = network && !options_.egress_socket.empty();
  out.argv = BaseArgs(fresh_proc_, network && !proxied);
  for (const auto& [paths, flag] :
       {std::pair{&policy.read_only, "--ro-bind"}, std::pair{&policy.writable, "--bind"}}) {
    for (const std::string& p : *paths) {
      if (p.empty()) continue;
      std::string abs = fs::absolute(p).lexically_normal().string();
      if (Exists(abs)) out.argv.insert(out.argv.end(), {flag, abs, abs});
    }
  }
  if (!program.starts_with("/usr/"))
    out.argv.insert(out.argv.end(), {"--ro-bind", program, program});
  std::vector<std::string> command = {program};
  if (proxied) {
    // No network of its own: the bridge is the one way out, to the allowed hosts.
    out.argv.insert(out.argv.end(), {"--bind", options_.egress_socket, kEgressSocketInside});
    if (!options_.bridge_bin.starts_with("/usr/")) {
      out.argv.insert(out.argv.end(), {"--ro-bind", options_.bridge_bin, options_.bridge_bin});
    }
    std::string port = std::to_string(kEgressBridgePort);
    command = {options_.bridge_bin, "egress-bridge", kEgressSocketInside, port, program};
    std::string proxy = "http://127.0.0.1:" + port;
    for (const char* name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"}) {
      out.env[name] = proxy;
    }
    out.env.erase("NO_PROXY");
    out.env.erase("no_proxy");
  }
  if (!request.cwd.empty()) {
    out.argv.insert(out.argv.end(),
                    {"--chdir", fs::absolute(request.cwd).lexically_normal().string()});
  }
  out.argv.push_back("--");
  out.argv.insert(out.argv.end(), command.begin(), command.end());
  out.argv.insert(out.argv.end(), request.argv.begin() + 1, request.argv.end());
  // The host's HOME and TMPDIR do not exist inside.
  out.env["HOME"] = "/tmp";
  out.env["TMPDIR"] = "/tmp";
  return out;
}

}  // namespace datamcp::process
