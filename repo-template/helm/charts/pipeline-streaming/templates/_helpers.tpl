{{- define "pipeline.fullname" -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "pipeline.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pipeline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "pipeline.selectorLabels" . }}
app.kubernetes.io/component: streaming-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* repository[:tag][@digest]; neither given: the chart's appVersion as the tag. */}}
{{- define "pipeline.image" -}}
{{- $tag := .Values.image.tag | default "" -}}
{{- if and (not $tag) (not .Values.image.digest) }}{{ $tag = .Chart.AppVersion }}{{ end -}}
{{ .Values.image.repository }}{{ with $tag }}:{{ . }}{{ end }}{{ with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/* The pod of the pipeline: one container, hardened, source and sink settings as
PIPELINE_SOURCE_<KEY> / PIPELINE_SINK_<KEY> (keys are checked by DataMCP: [a-z][a-z0-9_]*). */}}
{{- define "pipeline.podSpec" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  fsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: pipeline
    image: {{ include "pipeline.image" . | quote }}
    imagePullPolicy: IfNotPresent
    env:
      - name: PIPELINE_NAME
        value: {{ .Release.Name | quote }}
      {{- range $k, $v := .Values.source }}
      - name: {{ printf "PIPELINE_SOURCE_%s" (upper $k) }}
        value: {{ $v | quote }}
      {{- end }}
      {{- range $k, $v := .Values.sink }}
      - name: {{ printf "PIPELINE_SINK_%s" (upper $k) }}
        value: {{ $v | quote }}
      {{- end }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    {{- with .Values.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end }}
