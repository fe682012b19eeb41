#include "gitops/git/remote_session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "gitops/common/encoding.h"
#include "gitops/git/git_ptr.h"

namespace datamcp::git {
namespace {

// "|1|salt|hash" entries: HMAC-SHA1(salt, host) == hash.
bool HashedHostMatches(const std::string& pattern, const std::string& host) {
  if (pattern.rfind("|1|", 0) != 0) return false;
  std::size_t bar = pattern.find('|', 3);
  if (bar == std::string::npos) return false;
  auto salt = Base64Decode(pattern.substr(3, bar - 3));
  auto hash = Base64Decode(pattern.substr(bar + 1));
  if (!salt.ok() || !hash.ok()) return false;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
       reinterpret_cast<const unsigned char*>(host.data()), host.size(), md, &md_len);
  return *hash == std::string(reinterpret_cast<char*>(md), md_len);
}

bool HostListMatches(const std::string& hosts, const std::string& host) {
  std::stringstream ss(hosts);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == host || HashedHostMatches(item, host)) return true;
  }
  return false;
}

// Host and port from an ssh URL ("ssh://git@host:2222/x" or "git@host:x").
std::pair<std::string, std::string> SshHostPort(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("ssh://", 0) == 0) rest = rest.substr(6);
  std::size_t at = rest.find('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  std::size_t end = rest.find('/');
  std::string hostport = rest.substr(0, end);
  std::size_t colon = hostport.find(':');
  if (colon == std::string::npos || url.rfind("ssh://", 0) != 0) {
    return {hostport.substr(0, colon), ""};
  }
  return {hostport.substr(0, colon), hostport.substr(colon + 1)};
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

void RemoteSession::Fill(git_remote_callbacks* callbacks) {
  callbacks->credentials = &RemoteSession::Credentials;
  callbacks->certificate_check = &RemoteSession::CertificateCheck;
  callbacks->push_update_reference = &RemoteSession::PushUpdateReference;
  callbacks->push_negotiation = &RemoteSession::PushNegotiation;
  callbacks->payload = this;
}

int RemoteSession::Credentials(git_credential** out, const char* url, const char* user_from_url,
                               unsigned int allowed_types, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  const RemoteOptions& o = self->options_;
  if (++self->credential_calls_ > 1) {
    self->failure_ = "authentication failed for " + RedactUrl(url) +
                     ": the server rejected the configured credentials; check the token or key";
    git_error_set_str(GIT_ERROR_NET, self->failure_.c_str());
    return GIT_EAUTH;
  }
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) && !o.ssh_key_file.empty()) {
    const char* user = user_from_url && *user_from_url ? user_from_url : "git";
    return git_credential_ssh_key_new(out, user, nullptr, o.ssh_key_file.c_str(), "");
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !o.token.empty()) {
    return git_credential_userpass_plaintext_new(out, "x-access-token", o.token.Reveal().c_str());
  }
  self->failure_ = "authentication required by " + RedactUrl(url) +
                   " but no usable credentials are configured (token for https, ssh key for ssh)";
  git_error_set_str(GIT_ERROR_NET, self->failure_.c_str());
  return GIT_EAUTH;
}

int RemoteSession::CertificateCheck(git_cert* cert, int valid, const char* host, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
    return self->CheckHostKey(reinterpret_cast<const git_cert_hostkey*>(cert), host);
  }
  if (valid) return 0;
  if (cert->cert_type == GIT_CERT_X509 && !self->options_.ca_file.empty()) {
    return self->CheckX509(reinterpret_cast<const git_cert_x509*>(cert), host);
  }
  self->failure_code_ = StatusCode::kUnavailable;
  self->failure_ = std::string("the TLS certificate of ") + host +
                   " is not trusted; set ca_file to the CA bundle that signed it";
  git_error_set_str(GIT_ERROR_SSL, self->failure_.c_str());
  return GIT_ECERTIFICATE;
}

int RemoteSession::CheckX509(const git_cert_x509* cert, const char* host) {
  std::string why = VerifyCertificateWithCaFile(static_cast<const unsigned char*>(cert->data),
                                                cert->len, options_.ca_file, host);
  if (why.empty()) return 0;
  failure_code_ = StatusCode::kUnavailable;
  failure_ = std::string("the TLS certificate of ") + host + " is not trusted: " + why;
  git_error_set_str(GIT_ERROR_SSL, failure_.c_str());
  return GIT_ECERTIFICATE;
}

int RemoteSession::CheckHostKey(const git_cert_hostkey* cert, const char* host) {
  std::string why;
  if (options_.known_hosts_file.empty()) {
    why = "no known_hosts_file is configured";
  } else if (!(cert->type & GIT_CERT_SSH_RAW)) {
    why = "the server's raw host key is not available";
  } else {
    auto [name, port] = SshHostPort(options_.url);
    if (name.empty()) name = host;
    std::string key(cert->hostkey, cert->hostkey_len);
    why = VerifyKnownHost(options_.known_hosts_file,
                          port.empty() || port == "22" ? name : "[" + name + "]:" + port, key);
  }
  if (why.empty()) return 0;
  failure_code_ = StatusCode::kUnavailable;
  failure_ = std::string("the SSH host key of ") + host + " is not trusted: " + why;
  git_error_set_str(GIT_ERROR_SSH, failure_.c_str());
  return GIT_ECERTIFICATE;
}

void RemoteSession::ExpectRemote(std::string remote_ref, std::string oid) {
  expected_.emplace_back(std::move(remote_ref), std::move(oid));
}

int RemoteSession::PushNegotiation(const git_push_update** updates, size_t len, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  for (const auto& [ref, oid] : self->expected_) {
    for (size_t i = 0; i < len; ++i) {
      if (ref != updates[i]->dst_refname) continue;
      char hex[GIT_OID_HEXSZ + 1] = {0};
      bool absent = git_oid_is_zero(&updates[i]->src);
      if (!absent) git_oid_tostr(hex, sizeof(hex), &updates[i]->src);
      std::string actual = absent ? "" : hex;
      if (actual == oid) continue;
      self->failure_code_ = StatusCode::kConflict;
      self->failure_ = "the remote " + ref + " is at " + (absent ? "nothing" : actual) +
                       ", expected " + (oid.empty() ? "nothing" : oid) + "; fetch and retry";
      git_error_set_str(GIT_ERROR_REFERENCE, self->failure_.c_str());
      return GIT_EUSER;
    }
  }
  return 0;
}

int RemoteSession::PushUpdateReference(const char* refname, const char* status, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  PushResult r;
  r.ref = refname ? refname : "";
  r.ok = status == nullptr;
  r.message = status ? status : "";
  self->push_results_.push_back(std::move(r));
  return 0;
}

Status RemoteSession::Error(int rc, const std::string& what) const {
  if (!failure_.empty()) return Status(failure_code_, what + ": " + failure_);
  Status s = GitStatus(rc, what);
  if (s.code() == StatusCode::kInternal &&
      (git_error_last() &&
       (git_error_last()->klass == GIT_ERROR_NET || git_error_last()->klass == GIT_ERROR_OS ||
        git_error_last()->klass == GIT_ERROR_SSL || git_error_last()->klass == GIT_ERROR_HTTP ||
        git_error_last()->klass == GIT_ERROR_SSH))) {
    return Unavailable(s.message() + " (is the remote " + RedactUrl(options_.url) + " reachable?)");
  }
  return s;
}

std::string VerifyCertificateWithCaFile(const unsigned char* der, size_t len,
                                        const std::string& ca_file, const std::string& host) {
  const unsigned char* p = der;
  std::unique_ptr<X509, decltype(&X509_free)> leaf(d2i_X509(nullptr, &p, static_cast<long>(len)),
                                                   X509_free);
  if (!leaf) return "the server sent an unreadable certificate";
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    return "cannot read the CA bundle '" + ca_file + "'";
  }
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) == 1) return "";
  return std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))) +
         " (checked against '" + ca_file + "')";
}

std::string VerifyKnownHost(const std::string& known_hosts_file, const std::string& host,
                            const std::string& raw_key) {
  std::ifstream in(known_hosts_file);
  if (!in) return "cannot read known_hosts_file '" + known_hosts_file + "'";
  std::string line;
  bool host_seen = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '@') continue;
    std::stringstream ss(line);
    std::string hosts, type, key;
    if (!(ss >> hosts >> type >> key) || !HostListMatches(hosts, host)) continue;
    host_seen = true;
    auto decoded = Base64Decode(key);
    if (decoded.ok() && *decoded == raw_key) return "";
  }
  return host_seen ? "the key differs from the one in '" + known_hosts_file + "'"
                   : "'" + host + "' is not listed in '" + known_hosts_file + "'";
}

}  // namespace datamcp::git
