{{- define "datamcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "datamcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "datamcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "datamcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "datamcp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "datamcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "datamcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "datamcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "datamcp.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Secret entries (values `secrets.<entry>`) and the DATAMCP_*_FILE variable each one feeds.
*/}}
{{- define "datamcp.secretEnv" -}}
authHs256Secret: DATAMCP_AUTH_HS256_SECRET_FILE
authJwks: DATAMCP_AUTH_JWKS_FILE
repositoryToken: DATAMCP_REPOSITORY_TOKEN_FILE
repositorySshKey: DATAMCP_REPOSITORY_SSH_KEY_FILE
githubToken: DATAMCP_FORGE_GITHUB_TOKEN_FILE
githubAppPrivateKey: DATAMCP_FORGE_GITHUB_APP_PRIVATE_KEY_FILE
webhookSecret: DATAMCP_WEBHOOKS_SECRET_FILE
argocdToken: DATAMCP_ARGOCD_TOKEN_FILE
statePostgresUrl: DATAMCP_STATE_POSTGRES_URL_FILE
{{- end }}

{{/*
The Secret an entry of `secrets` is read from: its existingSecret, or the Secret the
ExternalSecret creates when the entry names a remoteRef.key and externalSecrets is on;
"" when the entry is not used. Call with (list $ "entryName").
*/}}
{{- define "datamcp.secretName" -}}
{{- $root := index . 0 }}
{{- $s := index $root.Values.secrets (index . 1) }}
{{- if $s.existingSecret }}
{{- $s.existingSecret }}
{{- else if and $root.Values.externalSecrets.enabled (dig "remoteRef" "key" "" $s) }}
{{- printf "%s-%s" (include "datamcp.fullname" $root) (kebabcase (index . 1)) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "datamcp.secretStoreName" -}}
{{- if .Values.externalSecrets.secretStore.create }}
{{- include "datamcp.fullname" . }}
{{- else }}
{{- required "externalSecrets.secretStore.name: name the existing SecretStore or ClusterSecretStore (or set externalSecrets.secretStore.create)" .Values.externalSecrets.secretStore.name }}
{{- end }}
{{- end }}

{{/*
config.yaml: the user's config plus the host names this release is reached by, so the
server's Host-header check accepts in-cluster clients and the Ingress.
*/}}
{{- define "datamcp.configYaml" -}}
{{- $config := deepCopy .Values.config }}
{{- $server := default dict (get $config "server") }}
{{- $svc := include "datamcp.fullname" . }}
{{- $hosts := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- end }}
{{- $_ := set $server "allowed_hosts" (concat (default list (get $server "allowed_hosts")) $hosts | uniq) }}
{{- $_ = set $config "server" $server }}
{{- toYaml $config }}
{{- end }}

{{/*
Refuses values the chart owns or that would put a secret into the ConfigMap.
*/}}
{{- define "datamcp.validate" -}}
{{- $owned := dict "work_dir" "the chart mounts the volume at /var/lib/datamcp" "server.bind" "the chart binds 0.0.0.0 in the pod" "server.port" "set containerPort instead" "server.admin_port" "set adminPort instead" }}
{{- $secrets := dict "auth.hs256_secret" "authHs256Secret" "repository.token" "repositoryToken" "forge.github_token" "githubToken" "forge.github_app_private_key" "githubAppPrivateKey" "webhooks.secret" "webhookSecret" "argocd.token" "argocdToken" }}
{{- range $key, $why := $owned }}
{{- if hasKey (include "datamcp.flatConfig" $ | fromYaml) $key }}
{{- fail (printf "config.%s: set by the chart (%s); remove it from values" $key $why) }}
{{- end }}
{{- end }}
{{- range $key, $entry := $secrets }}
{{- $flat := include "datamcp.flatConfig" $ | fromYaml }}
{{- if or (hasKey $flat $key) (hasKey $flat (printf "%s_file" $key)) }}
{{- fail (printf "config.%s: secrets are not put in values or the ConfigMap; set secrets.%s.existingSecret to a Secret holding it" $key $entry) }}
{{- end }}
{{- end }}
{{- if and (eq (dig "forge" "kind" "local" .Values.config) "github") (not (include "datamcp.secretName" (list . "webhookSecret"))) }}
{{- fail "secrets.webhookSecret.existingSecret: config.forge.kind github needs the GitHub webhook secret (or secrets.webhookSecret.remoteRef.key with externalSecrets.enabled)" }}
{{- end }}
{{- range $entry, $s := .Values.secrets }}
{{- if and $s.existingSecret (dig "remoteRef" "key" "" $s) $.Values.externalSecrets.enabled }}
{{- fail (printf "secrets.%s: set existingSecret or remoteRef.key, not both" $entry) }}
{{- end }}
{{- end }}
{{- if .Values.externalSecrets.enabled }}
{{- $store := .Values.externalSecrets.secretStore }}
{{- if and $store.create (not (has $store.provider (list "gcp" "aws"))) }}
{{- fail (printf "externalSecrets.secretStore.provider: %q is not gcp or aws" $store.provider) }}
{{- end }}
{{- if and $store.create (eq $store.provider "gcp") (not $store.gcp.projectID) }}
{{- fail "externalSecrets.secretStore.gcp.projectID: the GCP project that holds the secrets" }}
{{- end }}
{{- if and $store.create (eq $store.provider "aws") (not $store.aws.region) }}
{{- fail "externalSecrets.secretStore.aws.region: the AWS region of Secrets Manager" }}
{{- end }}
{{- end }}
{{- end }}

{{/* config as a flat map of dotted keys (one level of sections, as in the key table). */}}
{{- define "datamcp.flatConfig" -}}
{{- $flat := dict }}
{{- range $k, $v := .Values.config }}
{{- if kindIs "map" $v }}
{{- range $k2, $v2 := $v }}
{{- $_ := set $flat (printf "%s.%s" $k $k2) true }}
{{- end }}
{{- else }}
{{- $_ := set $flat $k true }}
{{- end }}
{{- end }}
{{- toYaml $flat }}
{{- end }}
