#include "gitops/repo/image_values.h"

#include <gtest/gtest.h>

namespace datamcp::repo {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');
const char* kChart = R"(image:
  repository: ghcr.io/acme/example-data-app
  tag: ""
  pullPolicy: IfNotPresent
sidecar:
  image:
    repository: ghcr.io/acme/proxy
    tag: "2.0"
)";

ImageValuesUpdate Update(const std::string& values, const ImageVersion& v,
                         const std::optional<std::string>& chart = kChart) {
  auto r = UpdateImageInValues("helm/values/dev/app.yaml", values, chart, v, "header");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ImageValuesUpdate{};
}

TEST(ImageValuesTest, SetsTheTagWhereTheChartConfiguresTheImage) {
  auto u = Update("config:\n  logLevel: debug\n", {"ghcr.io/acme/example-data-app", "v2", ""});
  EXPECT_TRUE(u.changed);
  EXPECT_EQ(u.paths, std::vector<std::string>{"/image"});
  EXPECT_NE(u.content.find("image:\n  repository: ghcr.io/acme/example-data-app\n  tag: v2"),
            std::string::npos)
      << u.content;
  EXPECT_NE(u.content.find("logLevel: debug"), std::string::npos);
  EXPECT_EQ(u.content.find("pullPolicy"), std::string::npos);  // defaults stay in the chart
}

TEST(ImageValuesTest, FindsANestedImageAndLeavesOthersAlone) {
  auto u = Update("{}\n", {"ghcr.io/acme/proxy", "2.1", ""});
  EXPECT_EQ(u.paths, std::vector<std::string>{"/sidecar/image"});
  EXPECT_EQ(u.previous, "ghcr.io/acme/proxy:2.0");
  EXPECT_NE(u.content.find("sidecar:\n  image:\n    repository: ghcr.io/acme/proxy\n    tag: "),
            std::string::npos)
      << u.content;
  EXPECT_EQ(u.content.find("example-data-app"), std::string::npos);
}

TEST(ImageValuesTest, TheDeployedVersionIsNoChange) {
  auto u = Update("image:\n  tag: v2\n", {"ghcr.io/acme/example-data-app", "v2", ""});
  EXPECT_FALSE(u.changed);
  EXPECT_EQ(u.previous, "ghcr.io/acme/example-data-app:v2");
}

TEST(ImageValuesTest, ADigestPinsAndATagLaterClearsIt) {
  auto pinned = Update("image:\n  tag: v2\n", {"ghcr.io/acme/example-data-app", "v2", kDigest});
  EXPECT_TRUE(pinned.changed);
  EXPECT_NE(pinned.content.find("digest: " + kDigest), std::string::npos) << pinned.content;
  auto again = Update(pinned.content, {"ghcr.io/acme/example-data-app", "", kDigest});
  EXPECT_FALSE(again.changed);
  auto tag = Update(pinned.content, {"ghcr.io/acme/example-data-app", "v3", ""});
  EXPECT_TRUE(tag.changed);
  EXPECT_EQ(tag.content.find(kDigest), std::string::npos) << tag.content;
}

TEST(ImageValuesTest, AnImageNoValuesConfigureIsNotFound) {
  auto r = UpdateImageInValues("helm/values/dev/app.yaml", "{}\n", kChart,
                               {"ghcr.io/acme/other", "v1", ""}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("repository: ghcr.io/acme/other"), std::string::npos);
  r = UpdateImageInValues("helm/values/dev/app.yaml", "- a list\n", kChart,
                          {"ghcr.io/acme/proxy", "v1", ""}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(ImageValuesTest, ChecksImageTagAndDigestNamingTheField) {
  EXPECT_TRUE(CheckImageVersion({"ghcr.io/acme/app", "v1.2.3", ""}).ok());
  EXPECT_TRUE(CheckImageVersion({"localhost:5000/app", "", kDigest}).ok());
  auto field = [](const ImageVersion& v) {
    Status s = CheckImageVersion(v);
    return s.ok() ? std::string("ok") : s.message().substr(0, s.message().find(':'));
  };
  EXPECT_EQ(field({"ghcr.io/acme/app:v1", "v1", ""}), "image");
  EXPECT_EQ(field({"GHCR.io/acme/app", "v1", ""}), "image");
  EXPECT_EQ(field({"ghcr.io/acme/app", "", ""}), "tag");
  EXPECT_EQ(field({"ghcr.io/acme/app", "v1;rm -rf", ""}), "tag");
  EXPECT_EQ(field({"ghcr.io/acme/app", "v1", "sha256:abc"}), "digest");
  EXPECT_EQ(ImageReference({"a/b", "v1", kDigest}), "a/b:v1@" + kDigest);
}

}  // namespace
}  // namespace datamcp::repo
