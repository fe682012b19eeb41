#pragma once

#include <map>
#include <string>

#include "gitops/common/result.h"
#include "gitops/git/repository.h"
#include "gitops/process/process_runner.h"

namespace datamcp::git {

// A minimal client for git's receive-pack protocol (v0, report-status) over git://, smart
// HTTP(S) and file:// (a `git receive-pack` child run through `runner`, so the remote's hooks run;
// libgit2's local transport writes into the target directly and skips them), used to push a pack
// the engine built itself from exactly the objects it created. libgit2 1.5's push computes the pack
// by marking the whole tree of every advertised ref uninteresting (O(repository) per push); this
// path is O(change). ssh:// is not handled here (the caller falls back to libgit2's push).
//
// One update per call. `old_oid` is what the ref must be on the remote ("" = must not exist):
// when the advertisement differs the push is not sent and Conflict is returned; the server
// enforces the same compare-and-swap when it applies the update. A refusal by the server is
// a PushResult with ok == false and the server's reason. Credentials: https/http send
// `options.token` as Basic auth user x-access-token (a 401 is Unauthenticated, never retried);
// `options.ca_file`, when set, is the CA bundle trusted for https.
bool SendPackSupports(const std::string& url);

Result<PushResult> SendPack(process::ProcessRunner& runner, const RemoteOptions& options,
                            const std::string& ref, const std::string& old_oid,
                            const std::string& new_oid, const std::string& pack);

// Parses a ref advertisement (pkt-lines up to the first flush) into ref name -> oid.
// Exposed for tests.
Result<std::map<std::string, std::string>> ParseAdvertisement(const std::string& data,
                                                              size_t* consumed);

}  // namespace datamcp::git
