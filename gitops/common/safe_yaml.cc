#include "gitops/common/safe_yaml.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace datamcp {
namespace {

// Consumes events and remembers nothing: used only to count documents.
class NullHandler final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::string Describe(const YAML::Exception& e) {
  if (e.mark.is_null()) return e.msg;
  return "line " + std::to_string(e.mark.line + 1) + ", column " +
         std::to_string(e.mark.column + 1) + ": " + e.msg;
}

// Counts documents, stopping at 2: never loops on input the parser cannot consume.
Result<int> CountDocuments(const std::string& text, std::string_view what) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    NullHandler handler;
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(handler)) ++documents;
    return documents;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(what) + ": invalid YAML: " + Describe(e));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(what) + ": invalid YAML: " + e.what());
  }
}

}  // namespace

Result<YAML::Node> LoadSingleYamlDocument(std::string_view text, std::string_view what,
                                          std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return ResourceExhausted(std::string(what) + ": " + std::to_string(text.size()) +
                             " bytes is over the limit of " + std::to_string(max_bytes) +
                             " bytes; split or shrink the file");
  }
  std::string owned(text);
  DATAMCP_ASSIGN_OR_RETURN(int documents, CountDocuments(owned, what));
  if (documents == 0) return InvalidArgument(std::string(what) + ": the document is empty");
  if (documents > 1) {
    return InvalidArgument(std::string(what) +
                           ": expected exactly one YAML document, found more (a `---` separator "
                           "or stray content such as a top-level `,` after the document)");
  }
  try {
    return YAML::Load(owned);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(what) + ": invalid YAML: " + Describe(e));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(what) + ": invalid YAML: " + e.what());
  }
}

std::string YamlToShortString(const YAML::Node& node, std::size_t max_chars) {
  std::string out;
  if (!node.IsDefined() || node.IsNull()) {
    out = "null";
  } else if (node.IsScalar()) {
    out = node.Scalar();
  } else {
    YAML::Emitter emitter;
    emitter.SetMapFormat(YAML::Flow);
    emitter.SetSeqFormat(YAML::Flow);
    emitter << node;
    out = emitter.c_str();
  }
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}

}  // namespace datamcp
