#pragma once

#include <map>
#include <sstream>
#include <string>

#include "gitops/common/result.h"

namespace datamcp::test {

// Parses Prometheus text exposition (format 0.0.4) into "name{labels}" -> value, checking
// each line's shape: comments are `# HELP name text` or `# TYPE name type`, samples are
// `name[{label="value",...}] value`. Enough to prove /metrics is scrapeable.
inline Result<std::map<std::string, double>> ParsePrometheusText(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto bad = [&](const std::string& why) {
    return InvalidArgument("line " + std::to_string(n) + ": " + why + ": " + line);
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (!line.starts_with("# HELP ") && !line.starts_with("# TYPE ")) return bad("bad comment");
      continue;
    }
    std::size_t space = line.rfind(' ');
    if (space == std::string::npos) return bad("no value");
    std::string key = line.substr(0, space);
    std::size_t brace = key.find('{');
    std::string name = key.substr(0, brace);
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
      return bad("bad metric name");
    }
    for (char ch : name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != ':') {
        return bad("bad metric name");
      }
    }
    if (brace != std::string::npos && key.back() != '}') return bad("unclosed labels");
    std::string value = line.substr(space + 1);
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value != "+Inf" && value != "-Inf" && value != "NaN" && (end == value.c_str() || *end)) {
      return bad("bad value");
    }
    samples[key] = v;
  }
  return samples;
}

}  // namespace datamcp::test
