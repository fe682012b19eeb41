#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace datamcp::process {

// The strings that betray `secret` in output, for the Masker: the secret itself, its hex
// (lower and upper case), its URL encoding (%XX upper and lower case), and its base64 and
// base64url. Base64 text depends on where the secret starts within the encoded bytes, so
// for each of the three alignments the form is the run of characters that the secret's
// bytes alone determine (so "base64(prefix + secret + suffix)" contains it). Duplicates and
// forms shorter than `min_length` are left out.
std::vector<std::string> SecretForms(std::string_view secret, std::size_t min_length);

}  // namespace datamcp::process
