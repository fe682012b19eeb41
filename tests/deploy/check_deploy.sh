#!/usr/bin/env bash
# How DataMCP itself is released and deployed, checked without a cluster or a Docker engine:
#   helm lint --strict and helm template of helm/datamcp (defaults, values-dev.yaml,
#   values-prod.yaml, ci/all-values.yaml, ci/aws-values.yaml), all validated in one node
#   process: Kubernetes schemas for every rendered manifest and argocd/datamcp.yaml, External
#   Secrets objects against their CRD schema (types, enums, required and unknown fields),
#   the workflows against GitHub's workflow schema (@actions/workflow-parser) and their
#   promises, scripts/release/bump_image.mjs on a values file,
#   the rendered config.yaml loaded by the real binary (`datamcp config --check`),
#   values the chart must refuse, `terraform fmt -check` and reference/pin checks on infra/
#   (check_terraform.mjs: `terraform validate` needs registry providers), the Dockerfile's lint and
#   promises (lint_dockerfile.mjs), and that the image's runtime packages provide every
#   library the binary links (check_image_libs.sh).
# Needs: helm in $DATAMCP_SOURCE_DIR/.tools/bin (scripts/install-tools), terraform on PATH,
# tests/deploy/node_modules (scripts/install-test-deps), DATAMCP_BINARY. Missing ones fail.
set -euo pipefail
src="${DATAMCP_SOURCE_DIR:?DATAMCP_SOURCE_DIR is not set}"
helm="$src/.tools/bin/helm"
here="$src/tests/deploy"
chart="$src/helm/datamcp"
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$helm" ] || fail "helm not found at $helm; run scripts/install-tools"
command -v terraform >/dev/null || fail "terraform not on PATH (expected /usr/local/bin/terraform)"
[ -d "$here/node_modules/kubernetes-models" ] || fail "npm packages missing in $here; run scripts/install-test-deps"
[ -x "${DATAMCP_BINARY:-}" ] || fail "DATAMCP_BINARY is not an executable: '${DATAMCP_BINARY:-}'"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HELM_CACHE_HOME="$tmp/helm/cache" HELM_CONFIG_HOME="$tmp/helm/config" HELM_DATA_HOME="$tmp/helm/data"
: >"$tmp/terraformrc"
export TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1

# scenario name, expected kinds, helm args. Every scenario is validated by one node process.
scenarios=()
render() {
  local name="$1" kinds="$2"; shift 2
  "$helm" lint --strict "$chart" "$@" >"$tmp/lint-$name.txt" 2>&1 || { cat "$tmp/lint-$name.txt" >&2; fail "helm lint --strict ($name)"; }
  "$helm" template datamcp "$chart" --namespace datamcp "$@" >"$tmp/$name.yaml" || fail "helm template ($name)"
  scenarios+=("$tmp/$name.yaml" "$kinds")
}
base="ConfigMap,Service,ServiceAccount,StatefulSet"
render defaults "$base"
render all "$base,ExternalSecret,ExternalSecret,Ingress,NetworkPolicy,SecretStore,ServiceMonitor" -f "$chart/ci/all-values.yaml"
render dev "$base,ExternalSecret,ExternalSecret,ExternalSecret,ExternalSecret,Ingress,NetworkPolicy,SecretStore" -f "$chart/values-dev.yaml"
render prod "$base,ExternalSecret,ExternalSecret,ExternalSecret,ExternalSecret,ExternalSecret,Ingress,NetworkPolicy,SecretStore,ServiceMonitor" -f "$chart/values-prod.yaml"
render aws "$base,ExternalSecret,ExternalSecret,ExternalSecret,NetworkPolicy,SecretStore" -f "$chart/ci/aws-values.yaml"
render replicas "ConfigMap,Deployment,PodDisruptionBudget,Service,ServiceAccount" -f "$chart/ci/replicas-values.yaml"
(cd "$here" && node validate.mjs chart "${scenarios[@]}") || fail "rendered manifests"
for f in "$chart"/ci/*.yaml; do
  case "$f" in */all-values.yaml|*/aws-values.yaml|*/replicas-values.yaml) ;; *) fail "$f is not rendered by check_deploy.sh";; esac
done
grep -q "169.254.169.252/32" "$tmp/dev.yaml" && grep -q "169.254.169.254/32" "$tmp/dev.yaml" || fail "dev NetworkPolicy lacks the GKE metadata server"
grep -q "kind: SecretStore" "$tmp/defaults.yaml" && fail "defaults render a SecretStore"
grep -q "kind: PodDisruptionBudget" "$tmp/defaults.yaml" && fail "one replica renders a PodDisruptionBudget"
echo "ok chart scenarios defaults, all, dev, prod, aws, replicas"
# The CRD checks are not vacuous: a misspelt SecretStore field is refused and named.
sed 's/^      projectID:/      projectId:/' "$tmp/all.yaml" >"$tmp/crd-typo.yaml"
if (cd "$here" && node validate.mjs chart "$tmp/crd-typo.yaml" "$base,ExternalSecret,ExternalSecret,Ingress,NetworkPolicy,SecretStore,ServiceMonitor") 2>"$tmp/crd-typo.txt"; then
  fail "validate.mjs accepted a SecretStore with an unknown field (projectId)"
fi
grep -q "gcpsm.projectId: unknown field" "$tmp/crd-typo.txt" || { cat "$tmp/crd-typo.txt" >&2; fail "unknown SecretStore field not named"; }
echo "ok an unknown field in an External Secrets object is refused"

# Values the chart must refuse, each with a message that names the value to fix.
refuse() {
  local expect="$1"; shift
  if "$helm" template datamcp "$chart" "$@" >"$tmp/refused.txt" 2>&1; then fail "helm template accepted $*"; fi
  grep -qF -- "$expect" "$tmp/refused.txt" || { cat "$tmp/refused.txt" >&2; fail "refusal of $* does not mention '$expect'"; }
  echo "ok refused $*"
}
refuse "secrets.authHs256Secret.existingSecret" --set config.auth.hs256_secret=inline
refuse "secrets.argocdToken.existingSecret" --set config.argocd.token_file=/x
refuse "set containerPort instead" --set config.server.port=9000
refuse "secrets.webhookSecret.existingSecret" --set config.forge.kind=github
refuse "work_dir" --set config.work_dir=/elsewhere
refuse "ingress/hosts" --set ingress.enabled=true
refuse "persistence" --set persistence.retian=true
refuse "not both" --set externalSecrets.enabled=true --set externalSecrets.secretStore.gcp.projectID=p \
  --set secrets.argocdToken.existingSecret=a --set secrets.argocdToken.remoteRef.key=b
refuse "externalSecrets.secretStore.gcp.projectID" --set externalSecrets.enabled=true
refuse "externalSecrets.secretStore.aws.region" --set externalSecrets.enabled=true --set externalSecrets.secretStore.provider=aws
refuse "externalSecrets.secretStore.name" --set externalSecrets.enabled=true --set externalSecrets.secretStore.create=false \
  --set secrets.argocdToken.remoteRef.key=b
refuse "provider" --set externalSecrets.enabled=true --set externalSecrets.secretStore.provider=azure
refuse "secrets.webhookSecret" --set config.forge.kind=github --set secrets.webhookSecret.remoteRef.key=w
# Several replicas share the work through PostgreSQL only: SQLite (or the local forge) is one pod's.
refuse "replicaCount > 1 needs PostgreSQL: set secrets.statePostgresUrl" --set replicaCount=2
refuse "replicaCount > 1 needs config.forge.kind github" --set replicaCount=2 \
  --set secrets.statePostgresUrl.existingSecret=pg
refuse "replicaCount" --set replicaCount=0
refuse "adminPort must differ from containerPort" --set adminPort=8080
refuse "livenessProbe uses port admin but adminPort is 0" --set adminPort=0
refuse "set adminPort instead" --set config.server.admin_port=9191

# The binary check is not vacuous: a rendered config the binary refuses fails validation.
"$helm" template datamcp "$chart" --namespace datamcp --set config.log.level=verbose >"$tmp/badconfig.yaml"
if (cd "$here" && node validate.mjs chart "$tmp/badconfig.yaml" "ConfigMap,Service,ServiceAccount,StatefulSet") 2>"$tmp/badconfig.txt"; then
  fail "validate.mjs accepted a config that datamcp refuses (log.level verbose)"
fi
grep -q "log.level" "$tmp/badconfig.txt" || { cat "$tmp/badconfig.txt" >&2; fail "config refusal does not name log.level"; }
echo "ok datamcp config --check refuses a bad rendered config"

cat "$tmp/all.yaml" "$tmp/aws.yaml" "$tmp/prod.yaml" >"$tmp/every.yaml"
(cd "$here" && node validate.mjs argocd "$src/argocd/datamcp.yaml" "$tmp/every.yaml") || fail "argocd/datamcp.yaml"

# Workflows against GitHub's workflow schema; then a broken one must be refused.
(cd "$here" && node validate.mjs workflows "$src"/.github/workflows/*.yml "$src/repo-template/.github/workflows/pr-checks.yml" "$src/repo-template/.github/workflows/promote-image.yml") || fail "workflows"
sed 's/^    runs-on:/    runs-onn:/' "$src/.github/workflows/ci.yml" >"$tmp/ci.yml"
if (cd "$here" && node validate.mjs workflows "$tmp/ci.yml") 2>"$tmp/wf.txt"; then fail "a workflow with runs-onn was accepted"; fi
grep -q "runs-onn" "$tmp/wf.txt" || { cat "$tmp/wf.txt" >&2; fail "workflow refusal does not name runs-onn"; }
echo "ok a misspelt workflow key is refused"

# The release's promotion step: bump_image.mjs moves the image in a values file, keeps the
# rest, and the result renders with the new digest; bad input changes nothing.
digest="sha256:$(printf '%064d' 7)"
cp "$chart/values-prod.yaml" "$tmp/deploy-values.yaml"
node "$src/scripts/release/bump_image.mjs" "$tmp/deploy-values.yaml" --repository ghcr.io/acme/datamcp --tag 1.2.3 --digest "$digest" >/dev/null
diff <(grep -v '^  \(repository\|tag\|digest\):' "$chart/values-prod.yaml") <(grep -v '^  \(repository\|tag\|digest\):' "$tmp/deploy-values.yaml") >/dev/null \
  || fail "bump_image.mjs changed lines besides image.repository/tag/digest"
grep -qF "image: \"ghcr.io/acme/datamcp@$digest\"" <<<"$("$helm" template datamcp "$chart" -f "$tmp/deploy-values.yaml")" ||
  fail "bumped values do not render the new digest"
cp "$tmp/deploy-values.yaml" "$tmp/before.yaml"
if node "$src/scripts/release/bump_image.mjs" "$tmp/deploy-values.yaml" --repository ghcr.io/acme/datamcp --tag 1.2.4 --digest sha256:abc 2>"$tmp/bump.txt"; then fail "bump_image.mjs accepted a short digest"; fi
grep -q -- "--digest" "$tmp/bump.txt" && cmp -s "$tmp/before.yaml" "$tmp/deploy-values.yaml" || fail "bump_image.mjs: bad digest not named, or the file changed"
printf 'replicaCount: 1\n' >"$tmp/noimage.yaml"
node "$src/scripts/release/bump_image.mjs" "$tmp/noimage.yaml" --repository ghcr.io/acme/datamcp --tag 1.2.3 --digest "$digest" >/dev/null
grep -qx "  digest: $digest" "$tmp/noimage.yaml" || fail "bump_image.mjs did not add an image block"
echo "ok bump_image.mjs"

terraform fmt -check -recursive -diff "$src/infra" || fail "terraform fmt -check -recursive infra (run terraform fmt -recursive infra)"
for dir in "$src"/infra/*/; do
  for f in versions.tf variables.tf outputs.tf main.tf; do
    [ -f "$dir/$f" ] || fail "${dir#"$src"/}: $f missing"
  done
done
echo "ok terraform fmt infra"
(cd "$here" && node check_terraform.mjs "$src/infra") || fail "infra/ references, variables, outputs or pins"
# repo-template's roots and modules (aws-vpc, aws-dev, aws-prod...): the same offline checks.
for d in modules envs; do
  (cd "$here" && node check_terraform.mjs "$src/repo-template/infra/terraform/$d" local,local-data) \
    || fail "repo-template/infra/terraform/$d references, variables, outputs or pins"
done
(cd "$here" && node lint_dockerfile.mjs "$src/Dockerfile") || fail "Dockerfile"
bash "$here/check_image_libs.sh" "$src/Dockerfile" "$DATAMCP_BINARY"
echo "deploy checks passed"
