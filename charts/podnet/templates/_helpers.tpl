{{/* The chart name, overridable. */}}
{{- define "podnet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of every object: the release name when it already says podnet, else release-podnet. */}}
{{- define "podnet.fullname" -}}
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

{{- define "podnet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podnet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "podnet.labels" -}}
{{ include "podnet.selectorLabels" . }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: podnet
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "podnet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "podnet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The agent's config file. listen, procfs and netnsDir follow the pod spec (port, host mounts), so they
are not values of their own; the rest comes from .Values.config.
*/}}
{{- define "podnet.config" -}}
{{- range $field := list "listen" "procfs" "netnsDir" }}
{{- if hasKey $.Values.config $field }}
{{- fail (printf "config.%s is set by the chart (from .Values.port and the host mounts); remove it from config" $field) }}
{{- end }}
{{- end }}
{{- $fixed := dict "listen" (printf "0.0.0.0:%d" (int .Values.port)) "procfs" "/host/proc" "netnsDir" "/run/netns" }}
{{- toYaml (merge $fixed .Values.config) }}
{{- end }}

{{/*
Scrape settings shared by the ServiceMonitor and the PodMonitor. podnet's series carry the namespace and
pod they DESCRIBE; the operator's target labels namespace/pod/container/service/endpoint name the AGENT
and would clash (Prometheus would rename podnet's to exported_namespace). So those target labels go, and
`node` (the dashboards' $node) comes from the node the agent runs on.
*/}}
{{- define "podnet.scrapeRelabelings" -}}
honorLabels: true
relabelings:
  - sourceLabels: [__meta_kubernetes_pod_node_name]
    targetLabel: node
  - action: labeldrop
    regex: (namespace|pod|container|service|endpoint)
{{- end }}

{{/* https when the web config turns on TLS, else empty (the operator's and Prometheus' default: http). */}}
{{- define "podnet.webScheme" -}}
{{- if and .Values.webConfig.enabled .Values.webConfig.tls }}https{{ end }}
{{- end }}

{{/*
Scheme, TLS and basic auth of a monitor's endpoint; called with (list $ .Values.serviceMonitor).
*/}}
{{- define "podnet.scrapeAuth" -}}
{{- $root := index . 0 }}
{{- $monitor := index . 1 }}
{{- $scheme := $monitor.scheme | default (include "podnet.webScheme" $root) }}
{{- if $scheme }}
scheme: {{ $scheme }}
{{- end }}
{{- with $monitor.tlsConfig }}
tlsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $monitor.basicAuth }}
basicAuth:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The liveness and readiness check. /-/healthy answers plain HTTP without credentials; behind a web config it
asks for what the kubelet cannot give (a client certificate, a password from a Secret), so the port is checked.
*/}}
{{- define "podnet.healthProbe" -}}
{{- if .Values.webConfig.enabled }}
tcpSocket:
  port: metrics
{{- else }}
httpGet:
  path: /-/healthy
  port: metrics
{{- end }}
{{- end }}
