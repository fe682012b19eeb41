#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::repo {

// An image to deploy: a repository and a tag and/or a digest.
struct ImageVersion {
  std::string image;   // e.g. ghcr.io/acme/events-api (no tag, no digest)
  std::string tag;     // e.g. v1.4.2; may be empty when digest is set
  std::string digest;  // sha256:<64 lower-case hex>; may be empty when tag is set
};

// InvalidArgument naming the field (image, tag, digest) unless: image is a lower-case
// repository reference ([registry[:port]/]path, at most 255 bytes, no tag or digest in it),
// tag matches Docker's [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, digest is sha256:<64 hex>, and at
// least one of tag and digest is given.
Status CheckImageVersion(const ImageVersion& version);

// "image:tag", "image@digest" or "image:tag@digest".
std::string ImageReference(const ImageVersion& version);

struct ImageValuesUpdate {
  std::string file;                // the file bumped (values_path)
  std::string content;             // its new content
  std::vector<std::string> paths;  // where the image is set, as JSON pointers ("/image")
  std::string previous;            // what was deployed (first place), e.g. "v1.4.1"
  bool changed = false;            // false: that version is already what the values say
};

// Bumps `version.image` in a release's values file. The image is found where it is
// configured, in the values file itself or else in the chart's defaults
// (`chart_defaults`, the chart's values.yaml, nullopt for a chart outside this repository):
// a map with `repository: <image>` (its `tag`, and `digest` when given or already set, are
// written into the values file at the same place). Comments in the file are not kept.
// NotFound when neither configures the image (the message says what to add); InvalidArgument
// naming `values_path` for a file that is not a YAML map. Pure.
Result<ImageValuesUpdate> UpdateImageInValues(const std::string& values_path,
                                              const std::string& values,
                                              const std::optional<std::string>& chart_defaults,
                                              const ImageVersion& version,
                                              const std::string& header);

}  // namespace datamcp::repo
