#!/usr/bin/env bash
# How DataMCP itself is deployed, checked without a cluster or a Docker engine:
#   helm lint --strict and helm template of helm/datamcp (defaults and ci/all-values.yaml),
#   Kubernetes schema validation of every rendered manifest and of argocd/datamcp.yaml,
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

# scenario name, expected kinds, helm args
render() {
  local name="$1" kinds="$2"; shift 2
  "$helm" lint --strict "$chart" "$@" >"$tmp/lint-$name.txt" 2>&1 || { cat "$tmp/lint-$name.txt" >&2; fail "helm lint --strict ($name)"; }
  "$helm" template datamcp "$chart" --namespace datamcp "$@" >"$tmp/$name.yaml" || fail "helm template ($name)"
  (cd "$here" && node validate.mjs chart "$tmp/$name.yaml" "$kinds") || fail "rendered manifests ($name)"
}
render defaults "ConfigMap,Service,ServiceAccount,StatefulSet"
render all "ConfigMap,Ingress,NetworkPolicy,Service,ServiceAccount,ServiceMonitor,StatefulSet" -f "$chart/ci/all-values.yaml"

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

# The binary check is not vacuous: a rendered config the binary refuses fails validation.
"$helm" template datamcp "$chart" --namespace datamcp --set config.log.level=verbose >"$tmp/badconfig.yaml"
if (cd "$here" && node validate.mjs chart "$tmp/badconfig.yaml" "ConfigMap,Service,ServiceAccount,StatefulSet") 2>"$tmp/badconfig.txt"; then
  fail "validate.mjs accepted a config that datamcp refuses (log.level verbose)"
fi
grep -q "log.level" "$tmp/badconfig.txt" || { cat "$tmp/badconfig.txt" >&2; fail "config refusal does not name log.level"; }
echo "ok datamcp config --check refuses a bad rendered config"

(cd "$here" && node validate.mjs argocd "$src/argocd/datamcp.yaml" "$tmp/all.yaml") || fail "argocd/datamcp.yaml"

terraform fmt -check -recursive -diff "$src/infra" || fail "terraform fmt -check -recursive infra (run terraform fmt -recursive infra)"
for dir in "$src"/infra/*/; do
  for f in versions.tf variables.tf outputs.tf main.tf; do
    [ -f "$dir/$f" ] || fail "${dir#"$src"/}: $f missing"
  done
done
echo "ok terraform fmt infra"
(cd "$here" && node check_terraform.mjs "$src/infra") || fail "infra/ references, variables, outputs or pins"
(cd "$here" && node lint_dockerfile.mjs "$src/Dockerfile") || fail "Dockerfile"
bash "$here/check_image_libs.sh" "$src/Dockerfile" "$DATAMCP_BINARY"
echo "deploy checks passed"
