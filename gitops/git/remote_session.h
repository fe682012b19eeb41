#pragma once

#include <git2.h>

#include <string>
#include <vector>

#include "gitops/common/status.h"
#include "gitops/git/repository.h"

namespace datamcp::git {

// The callbacks of one fetch or push: credentials, server certificate / host key checks and
// the per-ref push results. One instance per operation and thread; it must outlive the
// git_remote_callbacks it fills.
//
// Credentials are answered once: a second request means the server rejected them, and
// the callback fails with GIT_EAUTH instead of letting libgit2 ask again forever.
class RemoteSession {
 public:
  explicit RemoteSession(const RemoteOptions& options) : options_(options) {}
  RemoteSession(const RemoteSession&) = delete;
  RemoteSession& operator=(const RemoteSession&) = delete;

  // Fills callbacks (credentials, certificate_check, push_update_reference) with this as
  // payload.
  void Fill(git_remote_callbacks* callbacks);

  // Turns a libgit2 failure of the network operation `what` into a Status, preferring the
  // reasons this session recorded (authentication, certificate) over libgit2's message.
  Status Error(int rc, const std::string& what) const;

  // Makes the push fail with Conflict unless the remote's `remote_ref` is at `oid` ("" = must
  // not exist) when the push starts (checked in push_negotiation against what the server
  // advertised; the server then applies the update only if the ref is still there).
  void ExpectRemote(std::string remote_ref, std::string oid);

  const std::vector<PushResult>& push_results() const { return push_results_; }

 private:
  static int Credentials(git_credential** out, const char* url, const char* user_from_url,
                         unsigned int allowed_types, void* payload);
  static int CertificateCheck(git_cert* cert, int valid, const char* host, void* payload);
  static int PushNegotiation(const git_push_update** updates, size_t len, void* payload);
  static int PushUpdateReference(const char* refname, const char* status, void* payload);

  int CheckX509(const git_cert_x509* cert, const char* host);
  int CheckHostKey(const git_cert_hostkey* cert, const char* host);

  const RemoteOptions& options_;
  int credential_calls_ = 0;
  std::string failure_;  // set when this session refused something; wins over libgit2's text
  StatusCode failure_code_ = StatusCode::kUnauthenticated;
  std::vector<PushResult> push_results_;
  std::vector<std::pair<std::string, std::string>> expected_;
};

// `url` with any password in its userinfo replaced by "***", for messages and logs
// ("https://user:tok@h/x" -> "https://user:***@h/x").
std::string RedactUrl(const std::string& url);

// Checks `der` (a server certificate) against the PEM CA bundle `ca_file` and `host`.
// Returns "" when it is trusted, else the reason.
std::string VerifyCertificateWithCaFile(const unsigned char* der, size_t len,
                                        const std::string& ca_file, const std::string& host);

// Looks up `host` (and `[host]:port` forms) in an OpenSSH known_hosts file, including hashed
// entries, and compares the raw host key. Returns "" when it matches, else the reason.
std::string VerifyKnownHost(const std::string& known_hosts_file, const std::string& host,
                            const std::string& raw_key);

}  // namespace datamcp::git
