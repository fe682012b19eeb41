#include "gitops/process/masker.h"

#include <algorithm>
#include <cctype>

#include "gitops/process/secret_forms.h"

namespace datamcp::process {
namespace {

struct Span {
  std::size_t begin;
  std::size_t end;
  std::string_view label;
};

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsB64Url(char c) { return IsAlnum(c) || c == '-' || c == '_'; }
bool IsB64(char c) { return IsAlnum(c) || c == '/' || c == '+' || c == '='; }

// The length of the run of characters satisfying `pred` starting at `pos`.
template <typename Pred>
std::size_t RunLength(std::string_view text, std::size_t pos, Pred pred) {
  std::size_t end = pos;
  while (end < text.size() && pred(text[end])) ++end;
  return end - pos;
}

void ForEach(std::string_view text, std::string_view needle, auto&& fn) {
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1)) {
    fn(pos);
  }
}

void ScanGithub(std::string_view text, std::vector<Span>* out) {
  ForEach(text, "gh", [&](std::size_t pos) {
    if (pos + 4 > text.size() || text[pos + 3] != '_') return;
    if (std::string_view("pousr").find(text[pos + 2]) == std::string_view::npos) return;
    std::size_t n = RunLength(text, pos + 4, IsAlnum);
    if (n >= 20) out->push_back({pos, pos + 4 + n, "github_token"});
  });
  ForEach(text, "github_pat_", [&](std::size_t pos) {
    std::size_t n = RunLength(text, pos + 11, [](char c) { return IsAlnum(c) || c == '_'; });
    if (n >= 20) out->push_back({pos, pos + 11 + n, "github_token"});
  });
}

void ScanAwsKeyIds(std::string_view text, std::vector<Span>* out) {
  for (std::string_view prefix : {"AKIA", "ASIA"}) {
    ForEach(text, prefix, [&](std::size_t pos) {
      if (pos > 0 && IsUpperAlnum(text[pos - 1])) return;
      if (RunLength(text, pos + 4, IsUpperAlnum) != 16) return;
      out->push_back({pos, pos + 20, "aws_access_key"});
    });
  }
}

std::size_t SkipQuoting(std::string_view text, std::size_t pos) {
  while (pos < text.size() &&
         std::string_view(" \t\"'\\").find(text[pos]) != std::string_view::npos) {
    ++pos;
  }
  return pos;
}

void ScanAwsSecrets(std::string_view text, std::vector<Span>* out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view key : {"secret_access_key", "secretaccesskey"}) {
    ForEach(lower, key, [&](std::size_t pos) {
      std::size_t p = SkipQuoting(text, pos + key.size());
      if (p >= text.size() || (text[p] != '=' && text[p] != ':')) return;
      p = SkipQuoting(text, p + 1);
      std::size_t n = RunLength(text, p, IsB64);
      if (n >= 16) out->push_back({p, p + n, "aws_secret_key"});
    });
  }
}

void ScanPrivateKeys(std::string_view text, std::vector<Span>* out) {
  ForEach(text, "-----BEGIN ", [&](std::size_t pos) {
    std::size_t label_end = text.find("-----", pos + 11);
    if (label_end == std::string_view::npos || label_end - pos > 80) return;
    if (!text.substr(pos, label_end - pos).ends_with("PRIVATE KEY")) return;
    std::size_t end = text.find("-----END ", label_end + 5);
    if (end != std::string_view::npos) end = text.find("-----", end + 9);
    end = end == std::string_view::npos ? text.size() : end + 5;
    out->push_back({pos, end, "private_key"});
  });
}

void ScanJwts(std::string_view text, std::vector<Span>* out) {
  ForEach(text, "eyJ", [&](std::size_t pos) {
    if (pos > 0 && IsB64Url(text[pos - 1])) return;
    std::size_t p = pos + RunLength(text, pos, IsB64Url);
    if (p - pos < 8 || p >= text.size() || text[p] != '.') return;
    std::size_t second = p + 1;
    if (text.substr(second, 3) != "eyJ") return;
    p = second + RunLength(text, second, IsB64Url);
    if (p - second < 8 || p >= text.size() || text[p] != '.') return;
    p += 1 + RunLength(text, p + 1, IsB64Url);
    out->push_back({pos, p, "jwt"});
  });
}

// The text without line breaks, indentation, box-drawing borders ("│", as terraform draws
// around diagnostics) and escaped line breaks ("\n" in JSON), with the position in `text`
// of each kept character: a secret wrapped across lines is contiguous here.
struct Flattened {
  std::string text;
  std::vector<std::size_t> origin;
};

Flattened Flatten(std::string_view text) {
  Flattened f;
  f.text.reserve(text.size());
  f.origin.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      ++i;
    } else if (text.compare(i, 3, "\xE2\x94\x82") == 0) {
      i += 3;
    } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == 'n' || text[i + 1] == 'r')) {
      i += 2;
    } else {
      f.text += c;
      f.origin.push_back(i++);
    }
  }
  return f;
}

std::string Apply(std::string_view text, std::vector<Span>& spans) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t i = 0; i < spans.size();) {
    Span merged = spans[i++];
    while (i < spans.size() && spans[i].begin < merged.end) {
      merged.end = std::max(merged.end, spans[i++].end);
    }
    out.append(text.substr(copied, merged.begin - copied));
    out.append("[MASKED:").append(merged.label).append("]");
    copied = merged.end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace

Result<Masker> Masker::Create(const std::vector<NamedSecret>& secrets) {
  Masker masker;
  for (const NamedSecret& s : secrets) {
    if (s.value.empty()) continue;
    if (s.value.Reveal().size() < kMinSecretLength) {
      return InvalidArgument("secret '" + s.name + "' is shorter than " +
                             std::to_string(kMinSecretLength) +
                             " characters: masking it would garble all output; use a real "
                             "secret or remove it from the masked values");
    }
    masker.secrets_.push_back(s);
    const std::string& v = s.value.Reveal();
    masker.needles_.push_back({s.name, v});
    for (std::string& form : SecretForms(v, kMinEncodedLength)) {
      if (form != v) masker.needles_.push_back({s.name, std::move(form)});
    }
  }
  return masker;
}

Result<Masker> Masker::ForEnvironment(const std::vector<std::string>& names,
                                      const std::map<std::string, std::string>& env,
                                      std::vector<NamedSecret> more) {
  for (const std::string& name : names) {
    if (auto it = env.find(name); it != env.end()) more.push_back({name, Secret(it->second)});
  }
  return Create(more);
}

std::string Masker::Mask(std::string_view text) const {
  std::vector<Span> spans;
  for (const Needle& n : needles_) {
    ForEach(text, n.text, [&](std::size_t pos) {
      spans.push_back({pos, pos + n.text.size(), n.label});
    });
  }
  if (!needles_.empty()) {
    Flattened flat = Flatten(text);
    for (const Needle& n : needles_) {
      std::string needle = Flatten(n.text).text;
      if (needle.size() < kMinEncodedLength) continue;
      ForEach(flat.text, needle, [&](std::size_t pos) {
        spans.push_back({flat.origin[pos], flat.origin[pos + needle.size() - 1] + 1, n.label});
      });
    }
  }
  ScanGithub(text, &spans);
  ScanAwsKeyIds(text, &spans);
  ScanAwsSecrets(text, &spans);
  ScanPrivateKeys(text, &spans);
  ScanJwts(text, &spans);
  if (spans.empty()) return std::string(text);
  return Apply(text, spans);
}

}  // namespace datamcp::process
