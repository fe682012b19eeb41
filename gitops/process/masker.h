#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace datamcp::process {

// A configured secret to mask: `name` (e.g. the environment variable it came from) appears
// in the replacement, the value never does.
struct NamedSecret {
  std::string name;
  Secret value;
};

// Masks secrets in text before it is posted, recorded or returned (plan output, tool
// errors). It replaces:
// - every occurrence of a configured secret value, with "[MASKED:<name>]", and of its
//   encodings: base64, base64url, hex and URL encoding (SecretForms), also when a line
//   break, indentation or terraform's "│" border splits it (Flatten);
// - known token shapes, with "[MASKED:<shape>]":
//   github_token   ghp_ gho_ ghu_ ghs_ ghr_ + 20 or more [A-Za-z0-9];
//                  github_pat_ + 20 or more [A-Za-z0-9_]
//   aws_access_key AKIA or ASIA + 16 [A-Z0-9], not inside a longer [A-Z0-9] run
//   aws_secret_key the value after aws_secret_access_key / secret_access_key /
//                  SecretAccessKey (any case) and '=' or ':' (quotes and spaces allowed),
//                  16 or more [A-Za-z0-9/+=]
//   private_key    a PEM block from "-----BEGIN ...PRIVATE KEY-----" to its END line (to
//                  the end of the text when the END line is missing, e.g. truncated output)
//   jwt            eyJ<b64url>.eyJ<b64url>.<b64url>
// Overlapping matches are merged into one replacement. Linear in the text size (hand-written
// scanners, no regex). Immutable after construction: thread-safe.
//
// Masking is a second line of defence, not the first: planners run in a sandbox that cannot
// read the secrets. Limits: a secret split across two separately masked texts, encoded in a
// way not listed above (e.g. gzip + base64, or character by character), or one of the
// encoded forms shorter than kMinEncodedLength, is not recognized.
class Masker {
 public:
  static constexpr std::size_t kMinSecretLength = 4;
  // Encoded forms, and secrets matched across line breaks, must be at least this long
  // (shorter ones would match ordinary text).
  static constexpr std::size_t kMinEncodedLength = 8;

  // Only the known shapes.
  Masker() = default;

  // Also the given values. InvalidArgument when a value is shorter than kMinSecretLength
  // (masking it would shred the text; the message names the secret, not its value). Empty
  // values are skipped (an unset variable masks nothing).
  static Result<Masker> Create(const std::vector<NamedSecret>& secrets);

  // The masker for config plan.mask_values_env: the values of the variables `names` in
  // `env` (each masked as "[MASKED:<name>]"), plus `more` (e.g. the configured tokens).
  // Names missing from env mask nothing. Errors as Create.
  static Result<Masker> ForEnvironment(const std::vector<std::string>& names,
                                       const std::map<std::string, std::string>& env,
                                       std::vector<NamedSecret> more = {});

  std::string Mask(std::string_view text) const;

 private:
  struct Needle {
    std::string label;  // the secret's name
    std::string text;   // the secret or one of its encoded forms
  };
  std::vector<NamedSecret> secrets_;
  std::vector<Needle> needles_;
};

}  // namespace datamcp::process
