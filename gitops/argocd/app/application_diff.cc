#include "gitops/argocd/app/application_diff.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "gitops/common/safe_yaml.h"

namespace datamcp::argocd {
namespace {

using Kind = FieldChange::Kind;

bool Ignored(const std::string& path) {
  static const std::set<std::string> kIgnored = {"status",
                                                 "operation",
                                                 "metadata.resourceVersion",
                                                 "metadata.generation",
                                                 "metadata.uid",
                                                 "metadata.creationTimestamp",
                                                 "metadata.managedFields"};
  return kIgnored.count(path) > 0;
}

bool Absent(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

std::string Join(const std::string& base, const std::string& key) {
  return base.empty() ? key : base + "." + key;
}

// Lists of maps that each have a distinct scalar `name` compare by name.
bool KeyedByName(const YAML::Node& list) {
  std::set<std::string> names;
  for (const YAML::Node& item : list) {
    if (!item.IsMap() || !item["name"].IsScalar()) return false;
    if (!names.insert(item["name"].Scalar()).second) return false;
  }
  return list.size() > 0;
}

class Differ {
 public:
  std::vector<FieldChange> changes;

  void Node(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
    if (Ignored(path)) return;
    if (Absent(a) && Absent(b)) return;
    if (Absent(a)) return Add(Kind::kAdded, path, a, b);
    if (Absent(b)) return Add(Kind::kRemoved, path, a, b);
    if (a.IsMap() && b.IsMap()) return Map(a, b, path);
    if (a.IsSequence() && b.IsSequence()) return Seq(a, b, path);
    if (a.IsScalar() && b.IsScalar() && a.Scalar() == b.Scalar()) return;
    Add(Kind::kChanged, path, a, b);
  }

 private:
  void Add(Kind kind, const std::string& path, const YAML::Node& a, const YAML::Node& b) {
    changes.push_back({kind, path, kind == Kind::kAdded ? "" : YamlToShortString(a),
                       kind == Kind::kRemoved ? "" : YamlToShortString(b)});
  }

  static std::map<std::string, YAML::Node> Entries(const YAML::Node& m) {
    std::map<std::string, YAML::Node> out;
    for (const auto& e : m)
      out[e.first.IsScalar() ? e.first.Scalar() : YAML::Dump(e.first)] = e.second;
    return out;
  }

  void Map(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
    auto ea = Entries(a), eb = Entries(b);
    std::set<std::string> keys;
    for (const auto& [k, unused] : ea) keys.insert(k);
    for (const auto& [k, unused] : eb) keys.insert(k);
    YAML::Node none(YAML::NodeType::Undefined);
    for (const std::string& k : keys) {
      Node(ea.count(k) ? ea[k] : none, eb.count(k) ? eb[k] : none, Join(path, k));
    }
  }

  void Seq(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
    YAML::Node none(YAML::NodeType::Undefined);
    if (KeyedByName(a) && KeyedByName(b)) {
      std::map<std::string, YAML::Node> ma, mb;
      for (const YAML::Node& i : a) ma[i["name"].Scalar()] = i;
      for (const YAML::Node& i : b) mb[i["name"].Scalar()] = i;
      std::set<std::string> names;
      for (const auto& [n, unused] : ma) names.insert(n);
      for (const auto& [n, unused] : mb) names.insert(n);
      for (const std::string& n : names) {
        Node(ma.count(n) ? ma[n] : none, mb.count(n) ? mb[n] : none, path + "[name=" + n + "]");
      }
      return;
    }
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      Node(i < a.size() ? a[i] : none, i < b.size() ? b[i] : none,
           path + "[" + std::to_string(i) + "]");
    }
  }
};

}  // namespace

Result<std::vector<FieldChange>> DiffApplications(std::string_view base_yaml,
                                                  std::string_view head_yaml) {
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node base, LoadSingleYamlDocument(base_yaml, "base"));
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node head, LoadSingleYamlDocument(head_yaml, "head"));
  Differ differ;
  try {
    differ.Node(base, head, "");
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("comparing Applications: ") + e.what());
  }
  std::sort(differ.changes.begin(), differ.changes.end(),
            [](const FieldChange& x, const FieldChange& y) { return x.path < y.path; });
  return std::move(differ.changes);
}

std::string FormatChanges(const std::vector<FieldChange>& changes) {
  std::string out;
  for (const FieldChange& c : changes) {
    switch (c.kind) {
      case Kind::kAdded:
        out += "+ " + c.path + ": " + c.new_value + "\n";
        break;
      case Kind::kRemoved:
        out += "- " + c.path + ": " + c.old_value + "\n";
        break;
      case Kind::kChanged:
        out += "~ " + c.path + ": " + c.old_value + " -> " + c.new_value + "\n";
        break;
    }
  }
  return out;
}

}  // namespace datamcp::argocd
