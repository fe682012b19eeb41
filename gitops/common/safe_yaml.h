#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "gitops/common/result.h"

namespace datamcp {

inline constexpr std::size_t kMaxYamlBytes = 1 << 20;

// Parses `text` as exactly one YAML document, without the yaml-cpp 0.7 traps:
//  - YAML::LoadAll never returns (allocates until OOM) on a stray top-level `,`
//    ("a: 1\n---\n,", "[a], b"); YAML::Load silently ignores such trailing garbage.
//    This function walks the event stream first and rejects a second document, which is
//    how both cases show up; only then builds the node.
//  - inputs larger than `max_bytes` are refused before parsing (kResourceExhausted).
// An empty document (only comments) is an error. No exception escapes. `what` names the
// input in messages ("datamcp.yaml: line 3, column 1: ...").
Result<YAML::Node> LoadSingleYamlDocument(std::string_view text, std::string_view what,
                                          std::size_t max_bytes = kMaxYamlBytes);

// Renders a scalar or small node for error messages and diffs: scalars as-is, others as
// one-line flow YAML, cut to `max_chars`.
std::string YamlToShortString(const YAML::Node& node, std::size_t max_chars = 200);

}  // namespace datamcp
