#include "gitops/forge/comment_split.h"

#include <algorithm>
#include <string_view>

namespace datamcp::forge {

std::size_t Utf8Floor(std::string_view s, std::size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::size_t FenceLength(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = (c == '`') ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::max<std::size_t>(3, longest + 1);
}

namespace {

// Room kept in every part for "*(part i of n)*" and its blank line.
constexpr std::size_t kPartNoteReserve = 64;
constexpr std::size_t kMinLimit = 2048;

std::string CleanTitle(std::string_view raw) {
  std::string_view cut = raw.substr(0, Utf8Floor(raw, kMaxSectionTitleBytes));
  std::string out;
  for (char c : cut) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\r':
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Opener(const std::string& title, bool continued, std::size_t fence) {
  return "<details><summary>" + title + (continued ? " (continued)" : "") + "</summary>\n\n" +
         std::string(fence, '`') + "\n";
}

std::string Closer(std::size_t fence, bool cut_mid_line) {
  std::string out = cut_mid_line ? "\n" : "";
  out += std::string(fence, '`') + "\n\n";
  if (cut_mid_line) out += std::string(kLineContinues) + "\n\n";
  return out + "</details>\n\n";
}

// Bytes a piece with fence length `fence` costs besides its text (worst case: cut mid-line).
std::size_t Overhead(const std::string& title, std::size_t fence) {
  return Opener(title, true, fence).size() + Closer(fence, true).size();
}

// How many bytes of `rest` fit in `avail` bytes as one fenced piece; 0 when not even a
// line (or, if `may_cut_line`, a character) fits. Empty `rest` always "fits" as 0 bytes.
std::size_t PieceLength(std::string_view rest, const std::string& title, std::size_t avail,
                        bool may_cut_line) {
  std::size_t region = std::min(rest.size(), avail);
  while (true) {
    std::size_t overhead = Overhead(title, FenceLength(rest.substr(0, region)));
    if (region + overhead <= avail) break;
    if (region == 0) return 0;
    region = overhead < avail ? std::min(region - 1, avail - overhead) : region / 2;
  }
  if (region == rest.size()) return region;
  std::size_t newline = rest.substr(0, region).rfind('\n');
  if (newline != std::string_view::npos) return newline + 1;
  return may_cut_line ? Utf8Floor(rest, region) : 0;
}

class PartBuilder {
 public:
  explicit PartBuilder(std::size_t limit) : limit_(limit - kPartNoteReserve) {}

  void StartWithSummary(const std::string& summary) {
    if (!summary.empty()) current_ = summary + "\n\n";
  }

  Status AddSection(const PlanSection& section) {
    std::string title = CleanTitle(section.title);
    std::string body = section.body;
    if (!body.empty() && body.back() != '\n') body += '\n';
    std::string_view rest = body;
    bool continued = false;
    do {
      std::size_t avail = limit_ - std::min(limit_, current_.size());
      std::size_t len = PieceLength(rest, title, avail, current_.empty());
      bool fits = len > 0 || (rest.empty() && Overhead(title, 3) <= avail);
      if (!fits) {
        if (current_.empty()) {
          return InvalidArgument("comment part limit is too small to hold plan section '" + title +
                                 "'");
        }
        Flush();
        continue;
      }
      std::string_view piece = rest.substr(0, len);
      bool mid_line = !piece.empty() && piece.back() != '\n';
      std::size_t fence = FenceLength(piece);
      current_ += Opener(title, continued, fence);
      current_.append(piece);
      current_ += Closer(fence, mid_line);
      rest.remove_prefix(len);
      continued = true;
      if (!rest.empty()) Flush();
    } while (!rest.empty());
    return Status::Ok();
  }

  std::vector<std::string> Finish() {
    if (!current_.empty() || parts_.empty()) Flush();
    std::size_t n = parts_.size();
    if (n == 1) return std::move(parts_);
    for (std::size_t i = 0; i < n; ++i) {
      std::string note = "*(part " + std::to_string(i + 1) + " of " + std::to_string(n) + ")*";
      parts_[i] = i == 0 ? parts_[i] + note + "\n" : note + "\n\n" + parts_[i];
    }
    return std::move(parts_);
  }

 private:
  void Flush() {
    parts_.push_back(std::move(current_));
    current_.clear();
  }

  std::size_t limit_;
  std::vector<std::string> parts_;
  std::string current_;
};

}  // namespace

Result<std::vector<std::string>> SplitPlanComment(const PlanComment& comment, std::size_t limit) {
  if (limit < kMinLimit) {
    return InvalidArgument("comment part limit " + std::to_string(limit) +
                           " is too small; use at least " + std::to_string(kMinLimit));
  }
  if (comment.summary.size() + 2 + kPartNoteReserve > limit) {
    return InvalidArgument("plan summary is " + std::to_string(comment.summary.size()) +
                           " bytes but a comment part holds at most " +
                           std::to_string(limit - 2 - kPartNoteReserve) +
                           "; shorten the summary (it is never split)");
  }
  PartBuilder builder(limit);
  builder.StartWithSummary(comment.summary);
  for (const PlanSection& section : comment.sections) {
    DATAMCP_RETURN_IF_ERROR(builder.AddSection(section));
  }
  return builder.Finish();
}

}  // namespace datamcp::forge
