#pragma once

#include "gitops/config/config.h"

namespace datamcp::config {

// Checks values and combinations after loading. The error names the key and what to do.
Status Validate(const Config& config);

bool IsLoopbackAddress(const std::string& host);

}  // namespace datamcp::config
