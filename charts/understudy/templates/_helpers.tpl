{{/* The app name: the chart's, or nameOverride. */}}
{{- define "understudy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object's name: fullnameOverride, else the release name
when it already says "understudy" (the usual `helm install understudy`),
else <release>-understudy. Kept short enough for the -managed-namespace suffix.
*/}}
{{- define "understudy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "understudy.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "understudy.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "understudy.labels" -}}
app.kubernetes.io/name: {{ include "understudy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "understudy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "understudy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "understudy.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Seconds the kubelet waits after SIGTERM: the operator's drain plus time to release the lease and exit. */}}
{{- define "understudy.terminationGracePeriodSeconds" -}}
{{- .Values.terminationGracePeriodSeconds | default (add .Values.gracefulShutdownSeconds 10) -}}
{{- end -}}

{{/* Scheme of the metrics endpoint. */}}
{{- define "understudy.metricsScheme" -}}
{{- if .Values.metrics.secure }}https{{ else }}http{{ end -}}
{{- end -}}

{{/*
Selector for the operator's own series in alerts and the dashboard: the
namespace label a ServiceMonitor or PodMonitor adds to every scraped series.
*/}}
{{- define "understudy.metricsSelector" -}}
namespace="{{ .Release.Namespace }}"
{{- end -}}

{{/* Checks JSON schema cannot express: comparisons between two values. */}}
{{- define "understudy.validate" -}}
{{- if eq (int .Values.metrics.port) (int .Values.health.port) -}}
{{- fail (printf "metrics.port and health.port must differ (both are %d)" (int .Values.metrics.port)) -}}
{{- end -}}
{{- if le (int (include "understudy.terminationGracePeriodSeconds" .)) (int .Values.gracefulShutdownSeconds) -}}
{{- fail (printf "terminationGracePeriodSeconds (%s) must be above gracefulShutdownSeconds (%d): the kubelet would kill the operator before it releases its lease" (include "understudy.terminationGracePeriodSeconds" .) (int .Values.gracefulShutdownSeconds)) -}}
{{- end -}}
{{- if and .Values.metrics.podMonitor.enabled .Values.metrics.secure (not .Values.metrics.podMonitor.bearerTokenSecret.name) -}}
{{- fail "metrics.podMonitor.bearerTokenSecret.name is required while metrics.secure is true: a PodMonitor cannot send Prometheus's own ServiceAccount token (use the ServiceMonitor, or name a Secret holding a token allowed to get /metrics)" -}}
{{- end -}}
{{- end -}}

{{/* imagePullSecrets names, comma-separated, for seed Jobs. */}}
{{- define "understudy.pullSecretNames" -}}
{{- $names := list -}}
{{- range .Values.imagePullSecrets -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- join "," $names -}}
{{- end -}}
