#pragma once

#include <string>

namespace datamcp::bot {

// Where repo-template/ is: beside the source tree the binary was built from, or installed
// under share/datamcp next to the binary's prefix. Empty when neither exists.
std::string FindTemplateDir();

}  // namespace datamcp::bot
