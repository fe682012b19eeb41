#include "gitops/state/database.h"

#include <cstdlib>

namespace datamcp::state {

Status Database::Ping() {
  return Read([](Tx& tx) { return tx.Query("SELECT 1").status(); });
}

long long IntAt(const Row& row, std::size_t i) {
  if (i >= row.size() || !row[i]) return 0;
  return std::strtoll(row[i]->c_str(), nullptr, 10);
}

std::string TextAt(const Row& row, std::size_t i) {
  if (i >= row.size() || !row[i]) return "";
  return *row[i];
}

}  // namespace datamcp::state
