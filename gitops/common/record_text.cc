#include "gitops/common/record_text.h"

#include <cctype>
#include <sstream>

namespace datamcp {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsControl(char c, bool multi_line) {
  auto u = static_cast<unsigned char>(c);
  if (c == '\t') return false;
  if (multi_line && (c == '\n' || c == '\r')) return false;
  return u < 0x20 || u == 0x7f;
}

Status BadControl(std::string_view field, char c, bool multi_line) {
  std::string what = c == '\n' || c == '\r' ? "a line break" : "a control character";
  return InvalidArgument(std::string(field) + " contains " + what + "; " +
                         (multi_line ? "remove it" : "give one line of text"));
}

}  // namespace

bool ReadsAsReservedTrailer(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  std::size_t key_start = i;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-')) {
    ++i;
  }
  std::string key = Lower(line.substr(key_start, i - key_start));
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size() || line[i] != ':') return false;
  return key.starts_with("datamcp-") || key == "co-authored-by" || key == "signed-off-by";
}

Status CheckRecordTitle(std::string_view field, std::string_view title) {
  for (char c : title) {
    if (IsControl(c, /*multi_line=*/false)) return BadControl(field, c, false);
  }
  if (Lower(title.substr(0, 20)).starts_with("merge pull request #")) {
    return InvalidArgument(std::string(field) +
                           " starts with \"Merge pull request #\", which DataMCP reads as the "
                           "record of a merge; describe the change instead");
  }
  if (ReadsAsReservedTrailer(title)) {
    return InvalidArgument(std::string(field) +
                           " reads as a commit trailer (\"Key: value\" with a Datamcp-, "
                           "Co-authored-by or Signed-off-by key), which DataMCP writes "
                           "itself; describe the change instead");
  }
  return Status::Ok();
}

Status CheckRecordText(std::string_view field, std::string_view text) {
  int number = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && IsControl(text[i], /*multi_line=*/true)) {
      return BadControl(field, text[i], true);
    }
    if (i < text.size() && text[i] != '\n' && text[i] != '\r') continue;
    if (ReadsAsReservedTrailer(text.substr(start, i - start))) {
      return InvalidArgument(
          std::string(field) + " line " + std::to_string(number) +
          " reads as a commit trailer (\"Key: value\" with a Datamcp-, Co-authored-by or "
          "Signed-off-by key), which DataMCP writes itself; reword it (e.g. put the key in "
          "backticks)");
    }
    ++number;
    start = i + 1;
  }
  return Status::Ok();
}

std::string FirstLineOf(std::string_view text) {
  std::string line(text.substr(0, text.find_first_of("\r\n")));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

std::string Trailer(const std::string& message, const std::string& key) {
  std::string block = message;
  while (!block.empty() && (block.back() == '\n' || block.back() == ' ')) block.pop_back();
  auto blank = block.rfind("\n\n");
  if (blank == std::string::npos) return "";  // a summary line only: no trailers
  std::istringstream in(block.substr(blank + 2));
  std::string line, value;
  const std::string prefix = key + ": ";
  while (std::getline(in, line)) {
    if (line.starts_with(prefix)) value = line.substr(prefix.size());
  }
  return value;
}

}  // namespace datamcp
