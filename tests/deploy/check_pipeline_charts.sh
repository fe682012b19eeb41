#!/usr/bin/env bash
# repo-template's pipeline templates (helm/charts/pipeline-batch, pipeline-streaming): each
# passes `helm lint --strict` with its defaults and with pipeline definitions like the ones
# propose_pipeline writes, renders to objects valid against the Kubernetes schemas (no unknown
# fields) with the pipeline's promises (validate.mjs manifests), and refuses definitions its
# values.schema.json does not allow.
# Needs: helm in $DATAMCP_SOURCE_DIR/.tools/bin, tests/deploy/node_modules. Missing ones fail.
set -euo pipefail
src="${DATAMCP_SOURCE_DIR:?DATAMCP_SOURCE_DIR is not set}"
helm="$src/.tools/bin/helm"
here="$src/tests/deploy"
charts="$src/repo-template/helm/charts"
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$helm" ] || fail "helm not found at $helm; run scripts/install-tools"
[ -d "$here/node_modules/kubernetes-models" ] || fail "npm packages missing in $here; run scripts/install-test-deps"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HELM_CACHE_HOME="$tmp/helm/cache" HELM_CONFIG_HOME="$tmp/helm/config" HELM_DATA_HOME="$tmp/helm/data"

cat >"$tmp/def-batch.yaml" <<'YAML'
template: batch
image:
  repository: ghcr.io/acme/events-etl
  tag: v1.2.0
schedule: "0 2 * * *"
resources:
  requests:
    cpu: 250m
    memory: 512Mi
  limits:
    memory: 1Gi
source:
  uri: gs://acme-raw/events
sink:
  table: dwh.events
YAML
cat >"$tmp/def-streaming.yaml" <<'YAML'
template: streaming
image:
  repository: ghcr.io/acme/clicks
  digest: sha256:0000000000000000000000000000000000000000000000000000000000000007
replicas: 3
source:
  topic: clicks
sink:
  table: dwh.clicks
YAML

scenarios=()
render() {
  local name="$1" chart="$2" kinds="$3"; shift 3
  "$helm" lint --strict "$charts/$chart" "$@" >"$tmp/lint-$name.txt" 2>&1 || { cat "$tmp/lint-$name.txt" >&2; fail "helm lint --strict $chart ($name)"; }
  "$helm" template "pipe-$name" "$charts/$chart" --namespace data-dev "$@" >"$tmp/$name.yaml" || fail "helm template $chart ($name)"
  scenarios+=("$tmp/$name.yaml" "$kinds")
}
render batch-defaults pipeline-batch CronJob
render batch pipeline-batch CronJob -f "$tmp/def-batch.yaml"
render streaming-defaults pipeline-streaming Deployment
render streaming pipeline-streaming Deployment -f "$tmp/def-streaming.yaml"
(cd "$here" && node validate.mjs manifests "${scenarios[@]}") || fail "rendered pipeline manifests"
grep -q 'name: PIPELINE_SOURCE_URI' "$tmp/batch.yaml" && grep -q 'value: "dwh.events"' "$tmp/batch.yaml" \
  || fail "batch: source and sink settings are not passed to the container"
grep -qF 'image: "ghcr.io/acme/clicks@sha256:' "$tmp/streaming.yaml" || fail "streaming: the digest does not pin the image"
echo "ok pipeline templates lint --strict and render valid CronJob and Deployment"

# The schemas refuse what a pipeline must not say, naming it.
refuse() {
  local chart="$1" what="$2"; shift 2
  if "$helm" lint --strict "$charts/$chart" "$@" >"$tmp/refused.txt" 2>&1; then fail "$chart accepted $what"; fi
  grep -q "$what" "$tmp/refused.txt" || { cat "$tmp/refused.txt" >&2; fail "$chart: refusal does not name $what"; }
}
refuse pipeline-batch schedule --set schedule="every day"
refuse pipeline-streaming schedule -f "$tmp/def-streaming.yaml" --set schedule=@daily
refuse pipeline-batch cpu --set resources.limits.cpu=lots
refuse pipeline-streaming template -f "$tmp/def-batch.yaml"
echo "ok pipeline templates refuse a bad schedule, quantity, misplaced schedule and template"
