#include "bot/auth/www_authenticate.h"

#include "bot/auth/scopes.h"

namespace datamcp::bot {
namespace {

// RFC 6750 restricts error and error_description to %x20-21 / %x23-5B / %x5D-7E, so they
// never need escapes: '"' becomes '\'', '\' becomes '/', anything else outside becomes '?'.
std::string RestrictToNqschar(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      out += '\'';
    } else if (c == '\\') {
      out += '/';
    } else if (u < 0x20 || u > 0x7e) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

void AddParam(std::string* header, std::string_view name, std::string_view quoted) {
  *header += header->size() == 6 ? " " : ", ";  // after "Bearer"
  *header += name;
  *header += '=';
  *header += quoted;
}

}  // namespace

std::string QuoteHeaderValue(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f || u > 0x7e) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string WwwAuthenticate401(std::string_view resource_metadata_url, std::string_view error,
                               std::string_view description) {
  std::string header = "Bearer";
  if (!resource_metadata_url.empty()) {
    AddParam(&header, "resource_metadata", QuoteHeaderValue(resource_metadata_url));
  }
  if (!error.empty()) {
    AddParam(&header, "error", QuoteHeaderValue(RestrictToNqschar(error)));
    if (!description.empty()) {
      AddParam(&header, "error_description", QuoteHeaderValue(RestrictToNqschar(description)));
    }
  }
  return header;
}

std::string WwwAuthenticate403(const std::vector<std::string>& scopes,
                               std::string_view resource_metadata_url) {
  std::string header = "Bearer";
  if (!resource_metadata_url.empty()) {
    AddParam(&header, "resource_metadata", QuoteHeaderValue(resource_metadata_url));
  }
  AddParam(&header, "error", "\"insufficient_scope\"");
  std::vector<std::string> clean;
  for (const auto& s : scopes) {
    if (IsValidScopeToken(s)) clean.push_back(s);
  }
  AddParam(&header, "scope", QuoteHeaderValue(JoinScopes(clean)));
  return header;
}

}  // namespace datamcp::bot
