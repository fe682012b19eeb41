#pragma once

#include <optional>
#include <string>

#include "gitops/common/result.h"
#include "gitops/repo/helm_release.h"

namespace datamcp::repo {

// What a propose_helm_release on a release that already exists keeps. `fresh` is
// RenderHelmRelease's output; `current_values` / `current_application` are the files on the
// default branch (nullopt when absent). Returns the files to write:
//  - values: the current values with `request.values` merged in (JSON merge patch, RFC
//    7386: objects merge key by key, a null removes the key, anything else replaces);
//    comments in the current file are not kept.
//  - Application: the current manifest with only what the request decides changed: the
//    chart source (a source's targetRevision is kept unless chart_version sets it, as are
//    its other fields), DataMCP's two labels (others kept), spec.project and
//    spec.destination.namespace only when given, spec.syncPolicy only when `automated`
//    is given. Every other field is kept.
// Without current files, `fresh` is returned as is. Errors (InvalidArgument naming the
// file): a current file that is not a YAML map.
Result<HelmReleaseFiles> UpdateHelmRelease(const HelmReleaseFiles& fresh,
                                           const HelmReleaseRequest& request,
                                           const std::optional<std::string>& current_values,
                                           const std::optional<std::string>& current_application);

}  // namespace datamcp::repo
