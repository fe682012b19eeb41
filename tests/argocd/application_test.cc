#include "gitops/argocd/app/application.h"

#include <gtest/gtest.h>

#include "gitops/argocd/app/application_diff.h"

namespace datamcp::argocd {
namespace {

constexpr const char* kApp = R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api-dev
  namespace: argocd
  resourceVersion: "123"
spec:
  project: data-apps
  source:
    repoURL: https://github.com/acme/gitops.git
    targetRevision: main
    path: helm/charts/api
    helm:
      valueFiles: [a.yaml]
      parameters:
        - name: image.tag
          value: "1.0"
        - name: replicas
          value: "2"
  destination:
    server: https://kubernetes.default.svc
    namespace: data-dev
  syncPolicy:
    automated: {prune: true, selfHeal: true}
status:
  sync: {status: Synced}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  std::size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string ErrorOf(const std::string& yaml) {
  Status s = ValidateApplication(yaml);
  EXPECT_FALSE(s.ok()) << yaml;
  return s.message();
}

TEST(ApplicationTest, AcceptsAValidApplication) {
  Status s = ValidateApplication(kApp);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ApplicationTest, NamesTheBadField) {
  EXPECT_EQ(ErrorOf(Replace(kApp, "argoproj.io/v1alpha1", "v1")),
            "Application apiVersion: must be argoproj.io/v1alpha1, got 'v1'");
  EXPECT_EQ(ErrorOf(Replace(kApp, "kind: Application", "kind: AppProject")),
            "Application kind: must be Application, got 'AppProject'");
  EXPECT_NE(ErrorOf(Replace(kApp, "name: api-dev", "name: Api_Dev"))
                .find("Application metadata.name: 'Api_Dev' is not a DNS-1123 subdomain"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Replace(kApp, "  project: data-apps\n", "")),
            "Application spec.project: missing");
  EXPECT_EQ(ErrorOf(Replace(kApp, "    repoURL: https://github.com/acme/gitops.git\n", "")),
            "Application spec.source.repoURL: missing");
  EXPECT_EQ(ErrorOf(Replace(kApp, "    path: helm/charts/api\n", "")),
            "Application spec.source: needs path (a directory in the git repository) or chart "
            "(a Helm chart)");
  EXPECT_EQ(ErrorOf(Replace(kApp, "    server: https://kubernetes.default.svc\n", "")),
            "Application spec.destination: set exactly one of server (API URL) and name "
            "(cluster name)");
  EXPECT_EQ(ErrorOf(Replace(kApp, "namespace: data-dev", "namespace: Data")),
            "Application spec.destination.namespace: 'Data' is not a DNS-1123 label");
  EXPECT_EQ(ErrorOf(Replace(kApp, "automated: {prune: true, selfHeal: true}", "automated: yes")),
            "Application spec.syncPolicy.automated: must be a map (e.g. {prune: true, selfHeal: "
            "true})");
  EXPECT_EQ(ErrorOf(Replace(kApp, "  source:\n", "  sources:\n  - x: 1\n  source:\n")),
            "Application spec: set spec.source or spec.sources, not both");
}

TEST(ApplicationTest, ChecksEverySourceOfAMultiSourceApplication) {
  std::string multi = Replace(kApp, "  source:\n    repoURL: https://github.com/acme/gitops.git\n",
                              "  sources:\n  - repoURL: https://charts.example.com\n"
                              "    chart: redis\n  - ref: values\n  - repoURL: x\n");
  multi = Replace(multi, "    targetRevision: main\n    path: helm/charts/api\n", "");
  multi = Replace(multi, "    helm:\n      valueFiles: [a.yaml]\n", "");
  multi = Replace(multi,
                  "      parameters:\n        - name: image.tag\n          value: \"1.0\"\n"
                  "        - name: replicas\n          value: \"2\"\n",
                  "");
  EXPECT_EQ(ErrorOf(multi), "Application spec.sources[0].targetRevision: missing");
  multi = Replace(multi, "    chart: redis\n", "    chart: redis\n    targetRevision: 19.6.0\n");
  EXPECT_EQ(ErrorOf(multi), "Application spec.sources[1].repoURL: missing");
}

TEST(ApplicationTest, RejectsGarbageWithoutHanging) {
  EXPECT_NE(ErrorOf(std::string(kApp) + "---\n,").find("expected exactly one YAML document"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[1, 2]"), "Application document: must be a map, got a list");
}

TEST(ApplicationTest, RenderProducesAValidManifest) {
  ApplicationSpec spec;
  spec.name = "api-dev";
  spec.project = "data-apps";
  ApplicationSource source;
  source.repo_url = "https://github.com/acme/gitops.git";
  source.path = "apps/api";
  spec.sources = {source};
  spec.destination_server = "https://kubernetes.default.svc";
  spec.destination_namespace = "data-dev";
  spec.sync.automated = true;
  Result<std::string> yaml = RenderApplication(spec);
  ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
  EXPECT_NE(yaml->find("    path: apps/api\n"), std::string::npos) << *yaml;
  spec.destination_namespace = "";
  spec.destination_server = "";
  Result<std::string> bad = RenderApplication(spec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Application spec.destination: set exactly one of server (API URL) and name "
            "(cluster name)");
}

TEST(ApplicationDiffTest, ReportsChangedAddedAndRemovedFields) {
  std::string head = Replace(kApp, "targetRevision: main", "targetRevision: v1.2.0");
  head = Replace(head, "value: \"1.0\"", "value: \"1.1\"");
  head = Replace(head, "valueFiles: [a.yaml]", "valueFiles: [a.yaml, b.yaml]");
  head = Replace(head, "automated: {prune: true, selfHeal: true}", "automated: {selfHeal: true}");
  head = Replace(head, "resourceVersion: \"123\"", "resourceVersion: \"999\"");
  head = Replace(head, "status: Synced", "status: OutOfSync");
  head = Replace(head, "  namespace: argocd\n", "  namespace: argocd\n  labels: {team: data}\n");
  Result<std::vector<FieldChange>> changes = DiffApplications(kApp, head);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_EQ(FormatChanges(*changes),
            "+ metadata.labels: {team: data}\n"
            "~ spec.source.helm.parameters[name=image.tag].value: 1.0 -> 1.1\n"
            "+ spec.source.helm.valueFiles[1]: b.yaml\n"
            "~ spec.source.targetRevision: main -> v1.2.0\n"
            "- spec.syncPolicy.automated.prune: true\n");
}

TEST(ApplicationDiffTest, IgnoresFormattingAndKeyOrder) {
  std::string reordered = R"(kind: Application
apiVersion: "argoproj.io/v1alpha1"
metadata: {namespace: argocd, name: api-dev}
spec:
  destination: {namespace: data-dev, server: "https://kubernetes.default.svc"}
  project: data-apps
  syncPolicy: {automated: {selfHeal: true, prune: true}}
  source:
    path: helm/charts/api
    targetRevision: main
    repoURL: https://github.com/acme/gitops.git
    helm:
      parameters: [{name: replicas, value: "2"}, {name: image.tag, value: "1.0"}]
      valueFiles:
      - a.yaml
)";
  Result<std::vector<FieldChange>> changes = DiffApplications(kApp, reordered);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_EQ(FormatChanges(*changes), "");
}

TEST(ApplicationDiffTest, NamesTheSideThatFailsToParse) {
  Result<std::vector<FieldChange>> r = DiffApplications(kApp, "a: [");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("head: invalid YAML", 0), 0u) << r.status().message();
}

}  // namespace
}  // namespace datamcp::argocd
