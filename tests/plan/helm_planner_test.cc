#include "gitops/plan/helm_planner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>

#include "gitops/process/posix_process_runner.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::plan {
namespace {

using testing::ReadFile;
using testing::Snapshot;
using testing::TempDir;
using testing::WriteFile;

const std::string kToken = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";

// The helm scripts/install-tools puts in .tools/bin, else one on PATH. Tests fail (not
// skip) without it: run scripts/install-tools.
std::string HelmBinary() {
  const char* src = std::getenv("DATAMCP_SOURCE_DIR");
  if (src != nullptr && std::filesystem::exists(std::string(src) + "/.tools/bin/helm")) {
    return std::string(src) + "/.tools/bin/helm";
  }
  auto found = process::ResolveProgram("helm", std::getenv("PATH") ? std::getenv("PATH") : "");
  return found.ok() ? *found : "";
}

// Records every request, then runs it for real.
class RecordingRunner : public process::ProcessRunner {
 public:
  Result<process::ProcessResult> Run(const process::ProcessRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests.push_back(request);
    }
    return real_.Run(request);
  }
  std::vector<process::ProcessRequest> requests;

 private:
  std::mutex mu_;
  process::PosixProcessRunner real_{&test_support::TestSandbox()};
};

void WriteChart(const std::string& dir, const std::string& extra_template = "") {
  WriteFile(dir + "/Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nicon: https://example.com/i.png\n");
  WriteFile(dir + "/values.yaml",
            "message: hello\nreplicas: 1\nservice:\n  enabled: false\npassword: initial-pw\n");
  WriteFile(
      dir + "/templates/configmap.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n"
      "  namespace: {{ .Release.Namespace }}\ndata:\n  message: {{ .Values.message | quote }}\n"
      "  replicas: {{ .Values.replicas | quote }}\n");
  WriteFile(dir + "/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-secret\n"
            "  namespace: {{ .Release.Namespace }}\nstringData:\n"
            "  password: {{ .Values.password | quote }}\n");
  WriteFile(dir + "/templates/service.yaml",
            "{{- if .Values.service.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n"
            "  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\nspec:\n"
            "  ports:\n    - port: 80\n{{- end }}\n");
  if (!extra_template.empty()) WriteFile(dir + "/templates/extra.yaml", extra_template);
}

class HelmPlannerTest : public ::testing::Test {
 protected:
  HelmPlannerTest() : planner_(runner_, masker_, Options()) {}

  HelmPlannerOptions Options() {
    HelmPlannerOptions o;
    o.helm_bin = HelmBinary();
    o.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", tmp_.path()}};
    o.timeout = std::chrono::seconds(120);
    return o;
  }

  void SetUp() override {
    ASSERT_FALSE(HelmBinary().empty())
        << "helm not found in $DATAMCP_SOURCE_DIR/.tools/bin or PATH: run scripts/install-tools";
    WriteChart(tmp_.Sub("base/chart"));
    WriteChart(tmp_.Sub("head/chart"));
  }

  HelmPlanRequest Request(const std::string& head_values = "") {
    HelmPlanRequest r;
    r.release = "web";
    r.namespace_name = "apps";
    r.base.chart_dir = tmp_.Sub("base/chart");
    r.head.chart_dir = tmp_.Sub("head/chart");
    r.head.values_yaml = head_values;
    r.work_dir = tmp_.Sub("work" + std::to_string(++works_));
    return r;
  }

  TempDir tmp_;
  RecordingRunner runner_;
  process::Masker masker_;
  HelmPlanner planner_;
  int works_ = 0;
};

TEST_F(HelmPlannerTest, DiffsRenderedObjectsOfBaseAndHead) {
  std::string before = Snapshot(tmp_.Sub("head"));
  auto plan = planner_.Plan(Request("message: world\nservice:\n  enabled: true\n"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->changes.size(), 2u);
  EXPECT_EQ(plan->changes[0].key, "ConfigMap/apps/web-config");
  EXPECT_EQ(plan->changes[0].type, ObjectChange::Type::kChanged);
  EXPECT_NE(plan->changes[0].diff.find("-  message: hello\n+  message: world\n"), std::string::npos)
      << plan->changes[0].diff;
  EXPECT_EQ(plan->changes[1].key, "Service/apps/web");
  EXPECT_EQ(plan->changes[1].type, ObjectChange::Type::kAdded);
  EXPECT_EQ(plan->added, 1);
  EXPECT_EQ(plan->changed, 1);
  EXPECT_EQ(plan->removed, 0);
  EXPECT_EQ(plan->head_objects, 3u);
  EXPECT_EQ(plan->text.rfind("Helm release 'web' in namespace 'apps': 1 added, 0 removed, "
                             "1 changed\n",
                             0),
            0u)
      << plan->text;
  EXPECT_NE(plan->lint_output.find("1 chart(s) linted, 0 chart(s) failed"), std::string::npos);
  EXPECT_EQ(Snapshot(tmp_.Sub("head")), before) << "the chart must not be written";
}

TEST_F(HelmPlannerTest, AnObjectTheHeadNoLongerRendersIsADestructiveDelete) {
  HelmPlanRequest request = Request("message: world\n");
  request.base.values_yaml = "service:\n  enabled: true\n";
  auto plan = planner_.Plan(request);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->removed, 1);
  EXPECT_TRUE(plan->classification.Destructive());
  EXPECT_EQ(plan->classification.deletes, 1);
  EXPECT_EQ(plan->classification.deleted, std::vector<std::string>{"Service/apps/web"});
  EXPECT_EQ(plan->classification.updates, 1);  // the ConfigMap
  EXPECT_EQ(plan->classification.creates, 0);
  EXPECT_EQ(plan->classification.DescribeDestroys(), "deletes Service/apps/web");

  auto additive = planner_.Plan(Request("service:\n  enabled: true\n"));
  ASSERT_TRUE(additive.ok()) << additive.status().ToString();
  EXPECT_FALSE(additive->classification.Destructive());
  EXPECT_EQ(additive->classification.creates, 1);
}

TEST_F(HelmPlannerTest, FingerprintFollowsTheRenderedHead) {
  auto a = planner_.Plan(Request("message: world\n"));
  auto b = planner_.Plan(Request("message: world\n"));
  auto c = planner_.Plan(Request("message: other\n"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_NE(a->fingerprint, c->fingerprint);
  auto same = planner_.Plan(Request());
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->changes.empty());
}

TEST_F(HelmPlannerTest, ANewChartHasEverythingAdded) {
  HelmPlanRequest r = Request();
  r.base.chart_dir.clear();
  auto plan = planner_.Plan(r);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->added, 2);
  EXPECT_EQ(plan->changes[0].diff.rfind("--- /dev/null\n", 0), 0u);
}

TEST_F(HelmPlannerTest, ValuesArePassedAsAFileNeverOnTheCommandLine) {
  std::string values = "message: from-values-file-7f3a\n";
  auto plan = planner_.Plan(Request(values));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_GE(runner_.requests.size(), 3u);  // lint, template head, template base
  bool saw_file = false;
  for (const auto& req : runner_.requests) {
    for (std::size_t i = 0; i < req.argv.size(); ++i) {
      EXPECT_EQ(req.argv[i].find("from-values-file-7f3a"), std::string::npos);
      if (req.argv[i] == "-f" && i + 1 < req.argv.size() && ReadFile(req.argv[i + 1]) == values) {
        saw_file = true;
      }
    }
  }
  EXPECT_TRUE(saw_file);
}

TEST_F(HelmPlannerTest, SecretValuesNeverAppearInTheDiff) {
  auto plan = planner_.Plan(Request("password: rotated-pw\n"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->changes.size(), 1u);
  EXPECT_EQ(plan->changes[0].key, "Secret/apps/web-secret");
  EXPECT_NE(plan->text.find("+  password: \"[MASKED:changed]\""), std::string::npos) << plan->text;
  EXPECT_EQ(plan->text.find("initial-pw"), std::string::npos);
  EXPECT_EQ(plan->text.find("rotated-pw"), std::string::npos);
}

TEST_F(HelmPlannerTest, MasksTokensInRenderedText) {
  auto plan = planner_.Plan(Request("message: " + kToken + "\n"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->text.find(kToken), std::string::npos);
  EXPECT_NE(plan->text.find("[MASKED:github_token]"), std::string::npos) << plan->text;
}

TEST_F(HelmPlannerTest, LintFailureIsAClearMaskedError) {
  WriteChart(tmp_.Sub("broken"),
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"
             "data:\n  a: {{ .Values." +
                 kToken + ".deeper }}\n");
  HelmPlanRequest r = Request();
  r.head.chart_dir = tmp_.Sub("broken");
  auto plan = planner_.Plan(r);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = plan.status().message();
  EXPECT_NE(m.find("helm lint --strict"), std::string::npos) << m;
  EXPECT_NE(m.find("nil pointer"), std::string::npos) << m;
  EXPECT_NE(m.find("[MASKED:github_token]"), std::string::npos) << m;
  EXPECT_EQ(m.find(kToken), std::string::npos);
}

TEST_F(HelmPlannerTest, TemplateFailureIsAClearMaskedError) {
  // helm lint does not run `fail`; helm template does.
  WriteChart(tmp_.Sub("failing"), "{{ fail \"refusing token " + kToken + "\" }}\n");
  HelmPlanRequest r = Request();
  r.head.chart_dir = tmp_.Sub("failing");
  auto plan = planner_.Plan(r);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = plan.status().message();
  EXPECT_NE(m.find("helm template of the head chart"), std::string::npos) << m;
  EXPECT_NE(m.find("refusing token [MASKED:github_token]"), std::string::npos) << m;
  EXPECT_EQ(m.find(kToken), std::string::npos);
}

TEST_F(HelmPlannerTest, RejectsBadNamesAndPaths) {
  HelmPlanRequest r = Request();
  r.release = "--set=x";
  EXPECT_EQ(planner_.Plan(r).status().code(), StatusCode::kInvalidArgument);
  r = Request();
  r.namespace_name = "Apps";
  EXPECT_EQ(planner_.Plan(r).status().code(), StatusCode::kInvalidArgument);
  r = Request();
  r.head.chart_dir = "head/chart";
  EXPECT_EQ(planner_.Plan(r).status().code(), StatusCode::kInvalidArgument);
  r = Request();
  r.head.values_files = {tmp_.Sub("missing-values.yaml")};
  auto missing = planner_.Plan(r);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing-values.yaml"), std::string::npos);
  EXPECT_TRUE(runner_.requests.empty()) << "nothing may run for a bad request";
}

TEST_F(HelmPlannerTest, RefusesChartsWithSymlinksLeadingOutside) {
  WriteChart(tmp_.Sub("leaky"),
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\n"
             "data:\n  f: {{ .Files.Get \"files/host\" | quote }}\n");
  std::filesystem::create_directories(tmp_.Sub("leaky/files"));
  std::filesystem::create_symlink("/etc/hostname", tmp_.Sub("leaky/files/host"));
  std::filesystem::create_symlink("../values.yaml", tmp_.Sub("leaky/files/inside"));
  HelmPlanRequest r = Request();
  r.head.chart_dir = tmp_.Sub("leaky");
  auto plan = planner_.Plan(r);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("files/host"), std::string::npos)
      << plan.status().message();
  EXPECT_TRUE(runner_.requests.empty());

  std::filesystem::remove(tmp_.Sub("leaky/files/host"));
  WriteFile(tmp_.Sub("leaky/files/host"), "plain file");
  EXPECT_TRUE(planner_.Plan(r).ok()) << "a link inside the chart is fine";
}

TEST_F(HelmPlannerTest, MissingHelmNamesTheConfigKey) {
  HelmPlannerOptions o = Options();
  o.helm_bin = "datamcp-no-such-helm";
  HelmPlanner planner(runner_, masker_, o);
  auto plan = planner.Plan(Request());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_NE(plan.status().message().find("plan.helm_bin"), std::string::npos);
}

}  // namespace
}  // namespace datamcp::plan
