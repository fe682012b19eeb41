#pragma once

#include <string>

#include "bot/auth/jwks_cache.h"

namespace datamcp::bot {

struct JwksSource {
  std::string file;  // a JWKS file, read again on refresh (key rotation by file swap)
  std::string url;   // or a JWKS URL (https://token.actions.githubusercontent.com/.well-known/jwks)
  std::string ca_file;                     // extra CA bundle for an https URL
  std::string config_key = "ci.jwks_url";  // named in errors
};

// The fetch for `source`: the file (at most 1 MiB), or a GET of the URL (10 s timeouts, at
// most 1 MiB, 200 only, certificates verified). Errors say which setting and what failed.
JwksFetch MakeJwksFetch(const JwksSource& source);

}  // namespace datamcp::bot
