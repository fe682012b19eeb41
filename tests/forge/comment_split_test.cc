#include "gitops/forge/comment_split.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace datamcp::forge {
namespace {

// What a reader recovers from the parts: each section's title and reassembled body.
struct Parsed {
  std::vector<std::string> titles;
  std::vector<std::string> bodies;
};

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

bool IsFence(const std::string& line) {
  return line.size() >= 3 && line.find_first_not_of('`') == std::string::npos;
}

// Parses the sections of one part (after the summary / part note), checking the markdown
// structure as it goes: every <details> closed, every fence closed by the same fence.
void ParsePart(const std::string& part, std::size_t first_line, Parsed* out) {
  std::vector<std::string> lines = Lines(part);
  std::size_t i = first_line;
  while (i < lines.size()) {
    if (lines[i].rfind("*(part ", 0) == 0 || lines[i].empty()) {
      ++i;
      continue;
    }
    const std::string& open = lines[i];
    ASSERT_EQ(open.rfind("<details><summary>", 0), 0u) << "line " << i << ": " << open;
    std::string title = open.substr(18, open.size() - 18 - 10);
    bool continued = title.size() > 12 && title.ends_with(" (continued)");
    if (continued) title.resize(title.size() - 12);
    ASSERT_EQ(lines.at(i + 1), "");
    std::string fence = lines.at(i + 2);
    ASSERT_TRUE(IsFence(fence)) << fence;
    std::string body;
    std::size_t j = i + 3;
    for (; j < lines.size() && lines[j] != fence; ++j) {
      EXPECT_FALSE(IsFence(lines[j]) && lines[j].size() >= fence.size());
      body += lines[j] + "\n";
    }
    ASSERT_LT(j, lines.size()) << "unclosed fence";
    ASSERT_EQ(lines.at(j + 1), "");
    j += 2;
    if (lines.at(j) == kLineContinues) {
      ASSERT_FALSE(body.empty());
      body.pop_back();  // the newline the splitter added after a cut line
      j += 2;
    }
    ASSERT_EQ(lines.at(j), "</details>");
    if (continued) {
      ASSERT_FALSE(out->titles.empty());
      ASSERT_EQ(out->titles.back(), title);
      out->bodies.back() += body;
    } else {
      out->titles.push_back(title);
      out->bodies.push_back(body);
    }
    i = j + 1;
  }
}

Parsed ParseAll(const std::vector<std::string>& parts, const std::string& summary) {
  Parsed parsed;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    std::size_t skip = 0;
    if (p == 0) {
      EXPECT_EQ(parts[0].rfind(summary, 0), 0u) << "part 1 must start with the summary";
      skip = Lines(summary).size();
    } else {
      std::string note =
          "*(part " + std::to_string(p + 1) + " of " + std::to_string(parts.size()) + ")*";
      EXPECT_EQ(parts[p].rfind(note, 0), 0u);
    }
    ParsePart(parts[p], skip, &parsed);
  }
  return parsed;
}

std::string RandomLine(std::mt19937& rng) {
  static const std::vector<std::string> atoms = {
      "a", "b", " ",    "=",          "-",         "+", "~", "`",  "``", "```", "````",
      "é", "😀", "日本", "</details>", "<summary>", "#", "*", "\"", "|",  "\t"};
  std::uniform_int_distribution<int> kind(0, 99);
  int k = kind(rng);
  std::size_t len = k < 2 ? 20000 + rng() % 90000 : (k < 10 ? 0 : rng() % 160);
  std::string line;
  std::uniform_int_distribution<std::size_t> pick(0, atoms.size() - 1);
  while (line.size() < len) line += (rng() % 4 == 0) ? atoms[pick(rng)] : "x";
  if (k == 3) line = std::string(3 + rng() % 10, '`');
  return line;
}

PlanComment RandomPlan(std::mt19937& rng, std::size_t total) {
  PlanComment plan;
  plan.summary =
      "### Plan: `envs/prod`\n\n| add | change | destroy |\n|---|---|---|\n| 1 | 2 | 3 |";
  int sections = 1 + rng() % 5;
  for (int s = 0; s < sections; ++s) {
    PlanSection section{"terraform plan <" + std::to_string(s) + "> & more", ""};
    while (section.body.size() < total / sections) section.body += RandomLine(rng) + "\n";
    if (rng() % 2) section.body.pop_back();  // sometimes no final newline
    plan.sections.push_back(std::move(section));
  }
  return plan;
}

TEST(CommentSplitTest, SmallPlanIsOnePartWithSummaryFirst) {
  PlanComment plan{"**2 to add**", {{"plan", "+ resource \"a\"\n"}}};
  auto parts = SplitPlanComment(plan);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0],
            "**2 to add**\n\n<details><summary>plan</summary>\n\n```\n+ resource \"a\"\n```\n\n"
            "</details>\n\n");
}

TEST(CommentSplitTest, FenceIsLongerThanAnyBacktickRunInside) {
  PlanComment plan{"s", {{"t", "x ````` y\n```\n"}}};
  auto parts = SplitPlanComment(plan);
  ASSERT_TRUE(parts.ok());
  EXPECT_NE((*parts)[0].find("\n``````\nx ````` y\n```\n``````\n"), std::string::npos);
}

TEST(CommentSplitTest, TitleIsEscapedAndKeptOnOneLine) {
  PlanComment plan{"s", {{"<b>a\nb</b>", "x\n"}}};
  auto parts = SplitPlanComment(plan);
  ASSERT_TRUE(parts.ok());
  EXPECT_NE((*parts)[0].find("<summary>&lt;b&gt;a b&lt;/b&gt;</summary>"), std::string::npos);
}

TEST(CommentSplitTest, RejectsSummaryThatCannotFit) {
  PlanComment plan{std::string(70000, 's'), {}};
  auto parts = SplitPlanComment(plan);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parts.status().message().find("summary"), std::string::npos);
}

TEST(CommentSplitTest, LongPlanSplitsAtLineEndsWithPartNotes) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "  + line " + std::to_string(i) + "\n";
  PlanComment plan{"summary", {{"prod", body}}};
  auto parts = SplitPlanComment(plan);
  ASSERT_TRUE(parts.ok());
  ASSERT_GE(parts->size(), 5u);
  EXPECT_TRUE((*parts)[0].ends_with("*(part 1 of " + std::to_string(parts->size()) + ")*\n"));
  EXPECT_NE((*parts)[1].find("<summary>prod (continued)</summary>"), std::string::npos);
  for (const auto& p : *parts) {
    EXPECT_LE(p.size(), kMaxCommentPartBytes);
    EXPECT_EQ(p.find(kLineContinues), std::string::npos) << "no line needed cutting";
  }
  Parsed parsed = ParseAll(*parts, "summary");
  ASSERT_EQ(parsed.bodies.size(), 1u);
  EXPECT_EQ(parsed.bodies[0], body);
}

TEST(CommentSplitTest, OverlongLineIsCutAtUtf8Boundary) {
  std::string line;
  while (line.size() < 150000) line += "é😀";
  PlanComment plan{"s", {{"t", line + "\n"}}};
  auto parts = SplitPlanComment(plan, 4096);
  ASSERT_TRUE(parts.ok());
  Parsed parsed = ParseAll(*parts, "s");
  ASSERT_EQ(parsed.bodies.size(), 1u);
  EXPECT_EQ(parsed.bodies[0], line + "\n");
}

TEST(CommentSplitTest, HugeBacktickLineStillFits) {
  std::string body = std::string(100000, '`') + "\nend\n";
  auto parts = SplitPlanComment({"s", {{"t", body}}});
  ASSERT_TRUE(parts.ok());
  for (const auto& p : *parts) EXPECT_LE(p.size(), kMaxCommentPartBytes);
  EXPECT_EQ(ParseAll(*parts, "s").bodies.at(0), body);
}

// Property: random plans up to 300 KB, several limits.
TEST(CommentSplitTest, RandomPlansRoundTripWithinLimit) {
  std::mt19937 rng(20261201);
  for (int iter = 0; iter < 40; ++iter) {
    std::size_t total = 1000 + rng() % 300000;
    std::size_t limit = iter % 4 == 0 ? 2048 + rng() % 8000 : kMaxCommentPartBytes;
    PlanComment plan = RandomPlan(rng, total);
    auto parts = SplitPlanComment(plan, limit);
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    for (const auto& p : *parts) ASSERT_LE(p.size(), limit);
    Parsed parsed = ParseAll(*parts, plan.summary);
    ASSERT_EQ(parsed.bodies.size(), plan.sections.size()) << "iteration " << iter;
    for (std::size_t s = 0; s < plan.sections.size(); ++s) {
      std::string expected = plan.sections[s].body;
      if (!expected.empty() && expected.back() != '\n') expected += '\n';
      ASSERT_EQ(parsed.bodies[s], expected) << "iteration " << iter << " section " << s;
      EXPECT_EQ(parsed.titles[s], "terraform plan &lt;" + std::to_string(s) + "&gt; &amp; more");
    }
  }
}

}  // namespace
}  // namespace datamcp::forge
