#include "gitops/process/secret_forms.h"

#include <algorithm>
#include <cctype>

#include "gitops/common/encoding.h"

namespace datamcp::process {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string UrlEncode(std::string_view s, bool lower) {
  std::string out;
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      std::string hex = HexEncode(std::string_view(&c, 1));
      out += '%';
      out += lower ? hex : Upper(hex);
    }
  }
  return out;
}

// The base64 characters determined by the secret alone when it starts `shift` bytes into a
// 3-byte group: whole groups only.
std::string Base64Core(std::string_view secret, std::size_t shift, bool url) {
  std::string padded(shift, '\0');
  padded.append(secret);
  std::string enc = Base64Encode(padded, url);
  std::size_t first_group = (shift + 2) / 3;            // first group with no prefix byte
  std::size_t end_group = (shift + secret.size()) / 3;  // groups fully inside the secret
  if (end_group <= first_group) return "";
  return enc.substr(first_group * 4, (end_group - first_group) * 4);
}

}  // namespace

std::vector<std::string> SecretForms(std::string_view secret, std::size_t min_length) {
  std::vector<std::string> forms = {std::string(secret)};
  std::string hex = HexEncode(secret);
  forms.push_back(hex);
  forms.push_back(Upper(hex));
  forms.push_back(UrlEncode(secret, false));
  forms.push_back(UrlEncode(secret, true));
  for (std::size_t shift = 0; shift < 3; ++shift) {
    forms.push_back(Base64Core(secret, shift, false));
    forms.push_back(Base64Core(secret, shift, true));
  }
  std::vector<std::string> out;
  for (std::string& f : forms) {
    if (f.size() < min_length) continue;
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace datamcp::process
