#include "gitops/repo/image_values.h"

#include <regex>

#include "gitops/common/safe_yaml.h"
#include "gitops/repo/json_yaml.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxNodes = 20000;

Result<json> ParseValues(const std::string& text, const std::string& path) {
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node node, LoadSingleYamlDocument(text, path));
  json value = YamlToJson(node);
  if (value.is_null()) return json::object();
  if (!value.is_object()) {
    return InvalidArgument(path + " is not a YAML map; fix it with propose_change first");
  }
  return value;
}

// JSON pointers of every map with `repository: <image>`, breadth first, bounded in depth
// and size (values files come from the repository, but a plan is no reason to recurse).
std::vector<json::json_pointer> ImageMaps(const json& root, const std::string& image) {
  std::vector<json::json_pointer> found;
  std::vector<std::pair<json::json_pointer, std::size_t>> queue = {{json::json_pointer(), 0}};
  for (std::size_t i = 0; i < queue.size() && i < kMaxNodes; ++i) {
    auto [ptr, depth] = queue[i];
    const json& node = root.at(ptr);
    if (!node.is_object() || depth >= kMaxDepth) continue;
    auto repo = node.find("repository");
    if (repo != node.end() && repo->is_string() && repo->get<std::string>() == image) {
      found.push_back(ptr);
      continue;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->is_object()) queue.push_back({ptr / it.key(), depth + 1});
    }
  }
  return found;
}

std::string StringAt(const json& root, const json::json_pointer& ptr) {
  return root.contains(ptr) && root.at(ptr).is_string() ? root.at(ptr).get<std::string>() : "";
}

}  // namespace

Status CheckImageVersion(const ImageVersion& v) {
  static const std::regex kImage(
      "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$");
  static const std::regex kTag("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
  static const std::regex kDigest("^sha256:[a-f0-9]{64}$");
  if (v.image.empty() || v.image.size() > 255 || !std::regex_match(v.image, kImage)) {
    return InvalidArgument("image: '" + v.image.substr(0, 80) +
                           "' is not an image repository such as ghcr.io/acme/app (lower case, "
                           "no tag or digest: give those as tag and digest)");
  }
  if (v.tag.empty() && v.digest.empty()) {
    return InvalidArgument("tag: give the tag, the digest, or both");
  }
  if (!v.tag.empty() && (v.tag.size() > 128 || !std::regex_match(v.tag, kTag))) {
    return InvalidArgument("tag: '" + v.tag.substr(0, 80) +
                           "' is not a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
  }
  if (!v.digest.empty() && (v.digest.size() != 71 || !std::regex_match(v.digest, kDigest))) {
    return InvalidArgument("digest: must be sha256: followed by 64 lower-case hex digits");
  }
  return Status::Ok();
}

std::string ImageReference(const ImageVersion& v) {
  return v.image + (v.tag.empty() ? "" : ":" + v.tag) + (v.digest.empty() ? "" : "@" + v.digest);
}

Result<ImageValuesUpdate> UpdateImageInValues(const std::string& values_path,
                                              const std::string& values,
                                              const std::optional<std::string>& chart_defaults,
                                              const ImageVersion& version,
                                              const std::string& header) {
  DATAMCP_ASSIGN_OR_RETURN(json current, ParseValues(values, values_path));
  json defaults = json::object();
  if (chart_defaults) {
    auto parsed = ParseValues(*chart_defaults, "the chart's values.yaml");
    if (parsed.ok()) defaults = std::move(parsed).value();
  }
  json effective = defaults;
  effective.merge_patch(current);
  std::vector<json::json_pointer> paths = ImageMaps(effective, version.image);
  if (paths.empty()) {
    return NotFound("image: neither " + values_path +
                    " nor its chart's values.yaml has a map with repository: " + version.image +
                    "; check the image name, or set image.repository in the values file first");
  }
  ImageValuesUpdate out;
  out.file = values_path;
  for (const auto& ptr : paths) {
    std::string old_tag = StringAt(effective, ptr / "tag");
    std::string old_digest = StringAt(effective, ptr / "digest");
    if (out.paths.empty()) {
      out.previous = ImageReference({version.image, old_tag, old_digest});
    }
    out.paths.push_back(ptr.to_string());
    std::string new_digest = version.digest;
    bool same = old_tag == version.tag && old_digest == new_digest;
    if (version.tag.empty() && old_digest == new_digest) same = true;  // digest pins it
    if (same) continue;
    out.changed = true;
    json& node = current[ptr];
    if (!node.is_object()) node = json::object();
    node["repository"] = version.image;
    if (!version.tag.empty()) node["tag"] = version.tag;
    if (!new_digest.empty() || !old_digest.empty()) node["digest"] = new_digest;
  }
  out.content = JsonToYaml(current, header);
  return out;
}

}  // namespace datamcp::repo
