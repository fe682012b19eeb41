#include "gitops/plan/classification.h"

#include <algorithm>

#include "gitops/common/json_fields.h"

namespace datamcp::plan {
namespace {

using nlohmann::json;

bool Has(const json& actions, std::string_view action) {
  if (!actions.is_array()) return false;
  return std::any_of(actions.begin(), actions.end(), [&](const json& a) {
    return a.is_string() && a.get_ref<const std::string&>() == action;
  });
}

void InsertSorted(std::vector<std::string>& list, const std::string& name) {
  list.insert(std::upper_bound(list.begin(), list.end(), name), name);
}

std::vector<std::string> Strings(const json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const json& item : json_fields::Array(j, key)) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

int Count(const json& j, std::string_view key) {
  std::int64_t n = json_fields::Int(j, key);
  return n < 0 || n > 1000000000 ? 0 : static_cast<int>(n);
}

}  // namespace

void Classification::AddTerraformActions(const std::string& address, const json& actions) {
  bool create = Has(actions, "create"), del = Has(actions, "delete");
  if (create && del) {
    ++replaces;
    InsertSorted(replaced, address);
  } else if (del) {
    ++deletes;
    InsertSorted(deleted, address);
  } else if (create) {
    AddCreated(address);
  } else if (Has(actions, "update")) {
    AddUpdated(address);
  }
}

void Classification::AddObjectChange(const ObjectChange& change) {
  switch (change.type) {
    case ObjectChange::Type::kAdded:
      AddCreated(change.key);
      break;
    case ObjectChange::Type::kChanged:
      AddUpdated(change.key);
      break;
    case ObjectChange::Type::kRemoved:
      AddDeleted(change.key);
      break;
  }
}

void Classification::Add(const Classification& other) {
  creates += other.creates;
  updates += other.updates;
  for (const std::string& c : other.created) InsertSorted(created, c);
  for (const std::string& u : other.updated) InsertSorted(updated, u);
  for (const std::string& d : other.deleted) AddDeleted(d);
  for (const std::string& r : other.replaced) InsertSorted(replaced, r);
  replaces += other.replaces;
}

void Classification::AddCreated(const std::string& key) {
  ++creates;
  InsertSorted(created, key);
}

void Classification::AddUpdated(const std::string& key) {
  ++updates;
  InsertSorted(updated, key);
}

void Classification::AddDeleted(const std::string& key) {
  ++deletes;
  InsertSorted(deleted, key);
}

std::string Classification::DescribeDestroys(std::size_t max_names) const {
  auto names = [max_names](const std::vector<std::string>& list) {
    std::string s;
    for (std::size_t i = 0; i < list.size() && i < max_names; ++i) {
      s += (i ? ", " : "") + list[i];
    }
    if (list.size() > max_names) s += " and " + std::to_string(list.size() - max_names) + " more";
    return s;
  };
  std::string out;
  if (deletes > 0) out = "deletes " + names(deleted);
  if (replaces > 0) out += (out.empty() ? "" : "; ") + std::string("replaces ") + names(replaced);
  return out;
}

json ToJson(const Classification& c) {
  return {{"destructive", c.Destructive()}, {"creates", c.creates},   {"updates", c.updates},
          {"deletes", c.deletes},           {"replaces", c.replaces}, {"deleted", c.deleted},
          {"replaced", c.replaced},         {"created", c.created},   {"updated", c.updated}};
}

Classification ClassificationFromJson(const json& j) {
  Classification c;
  c.creates = Count(j, "creates");
  c.updates = Count(j, "updates");
  c.deletes = Count(j, "deletes");
  c.replaces = Count(j, "replaces");
  c.deleted = Strings(j, "deleted");
  c.replaced = Strings(j, "replaced");
  c.created = Strings(j, "created");
  c.updated = Strings(j, "updated");
  // A record that lists what it destroys is destructive even if its counts were lost.
  c.deletes = std::max<int>(c.deletes, static_cast<int>(c.deleted.size()));
  c.replaces = std::max<int>(c.replaces, static_cast<int>(c.replaced.size()));
  if (json_fields::Bool(j, "destructive") && !c.Destructive()) c.deletes = 1;
  return c;
}

}  // namespace datamcp::plan
