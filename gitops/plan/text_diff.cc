#include "gitops/plan/text_diff.h"

#include <algorithm>
#include <vector>

namespace datamcp::plan {
namespace {

enum class OpType { kEqual, kDelete, kInsert };

struct Op {
  OpType type;
  std::string_view line;
};

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Myers' forward pass; trace[d] holds V for diagonals -d..d after step d (index k + d).
// Returns false when the edit distance exceeds kMaxEditDistance.
bool ForwardPass(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
                 std::vector<std::vector<int>>* trace) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max_d = std::min(n + m, kMaxEditDistance);
  std::vector<int> prev;  // V after step d-1, indexed k + (d-1)
  for (int d = 0; d <= max_d; ++d) {
    std::vector<int> v(2 * d + 1);
    for (int k = -d; k <= d; k += 2) {
      auto at = [&](int kk) { return prev[kk + d - 1]; };
      int x = d == 0                                           ? 0
              : (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1)
                                                               : at(k - 1) + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + d] = x;
      if (x >= n && y >= m) {
        trace->push_back(std::move(v));
        return true;
      }
    }
    trace->push_back(v);
    prev = std::move(v);
  }
  return false;
}

std::vector<Op> Backtrack(const std::vector<std::string_view>& a,
                          const std::vector<std::string_view>& b,
                          const std::vector<std::vector<int>>& trace) {
  std::vector<Op> ops;
  int x = static_cast<int>(a.size()), y = static_cast<int>(b.size());
  for (int d = static_cast<int>(trace.size()) - 1; d > 0; --d) {
    const std::vector<int>& pv = trace[d - 1];
    auto at = [&](int kk) { return pv[kk + d - 1]; };
    int k = x - y;
    bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    int prev_k = down ? k + 1 : k - 1;
    int prev_x = at(prev_k), prev_y = prev_x - prev_k;
    int mid_x = down ? prev_x : prev_x + 1, mid_y = down ? prev_y + 1 : prev_y;
    while (x > mid_x && y > mid_y) ops.push_back({OpType::kEqual, a[--x]}), --y;
    if (down)
      ops.push_back({OpType::kInsert, b[prev_y]});
    else
      ops.push_back({OpType::kDelete, a[prev_x]});
    x = prev_x, y = prev_y;
  }
  while (x > 0 && y > 0) ops.push_back({OpType::kEqual, a[--x]}), --y;
  std::reverse(ops.begin(), ops.end());
  return ops;
}

std::vector<Op> Diff(const std::vector<std::string_view>& a,
                     const std::vector<std::string_view>& b) {
  std::vector<std::vector<int>> trace;
  if (ForwardPass(a, b, &trace)) return Backtrack(a, b, trace);
  std::vector<Op> ops;
  for (auto line : a) ops.push_back({OpType::kDelete, line});
  for (auto line : b) ops.push_back({OpType::kInsert, line});
  return ops;
}

void EmitHunk(const std::vector<Op>& ops, std::size_t begin, std::size_t end, int a_before,
              int b_before, std::string* out) {
  int a_count = 0, b_count = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (ops[i].type != OpType::kInsert) ++a_count;
    if (ops[i].type != OpType::kDelete) ++b_count;
  }
  *out += "@@ -" + std::to_string(a_count ? a_before + 1 : a_before) + "," +
          std::to_string(a_count) + " +" + std::to_string(b_count ? b_before + 1 : b_before) + "," +
          std::to_string(b_count) + " @@\n";
  for (std::size_t i = begin; i < end; ++i) {
    out->push_back(ops[i].type == OpType::kEqual    ? ' '
                   : ops[i].type == OpType::kDelete ? '-'
                                                    : '+');
    out->append(ops[i].line).push_back('\n');
  }
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after,
                        std::string_view before_label, std::string_view after_label, int context) {
  if (before == after) return "";
  const std::vector<Op> ops = Diff(SplitLines(before), SplitLines(after));
  const std::size_t ctx = static_cast<std::size_t>(std::max(0, context));
  std::string out = "--- " + std::string(before_label) + "\n+++ " + std::string(after_label) + "\n";
  int a_pos = 0, b_pos = 0;  // lines of each side consumed before ops[i]
  std::size_t i = 0;
  while (i < ops.size()) {
    if (ops[i].type == OpType::kEqual) {
      ++a_pos, ++b_pos, ++i;
      continue;
    }
    std::size_t start = i >= ctx ? i - ctx : 0, last = i;
    for (std::size_t j = i; j < ops.size() && j - last <= 2 * ctx; ++j) {
      if (ops[j].type != OpType::kEqual) last = j;
    }
    std::size_t end = std::min(ops.size(), last + 1 + ctx);
    std::size_t back = i - start;  // context lines already counted in a_pos/b_pos
    EmitHunk(ops, start, end, a_pos - static_cast<int>(back), b_pos - static_cast<int>(back), &out);
    for (std::size_t j = i; j < end; ++j) {
      if (ops[j].type != OpType::kInsert) ++a_pos;
      if (ops[j].type != OpType::kDelete) ++b_pos;
    }
    i = end;
  }
  return out;
}

}  // namespace datamcp::plan
