{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "smsgate-ca.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: the release name, followed by the chart name unless it already contains it. */}}
{{- define "smsgate-ca.fullname" -}}
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

{{- define "smsgate-ca.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "smsgate-ca.selectorLabels" -}}
app.kubernetes.io/name: {{ include "smsgate-ca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{/* Labels on every object (CRDs included). */}}
{{- define "smsgate-ca.labels" -}}
helm.sh/chart: {{ include "smsgate-ca.chart" . }}
app.kubernetes.io/name: {{ include "smsgate-ca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: smsgate-ca
{{- end }}

{{- define "smsgate-ca.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "smsgate-ca.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- /* The registry: global.imageRegistry before image.registry; empty for none. */}}
{{- define "smsgate-ca.imageRegistry" -}}
{{- dig "imageRegistry" "" (default dict .Values.global) | default .Values.image.registry }}
{{- end }}

{{- /* registry/repository, then @digest when set (it wins over the tag), else :tag (default appVersion). */}}
{{- define "smsgate-ca.image" -}}
{{- $registry := include "smsgate-ca.imageRegistry" . }}
{{- $name := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $name .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $name (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- /* "true" while the image is the chart's unpublished default: a local build, no registry, no digest. */}}
{{- define "smsgate-ca.unpublishedImage" -}}
{{- if and (eq .Values.image.repository "smsgate-ca") (eq (include "smsgate-ca.imageRegistry" .) "") (not .Values.image.digest) }}true{{ end }}
{{- end }}

{{- define "smsgate-ca.caSecretName" -}}
{{- .Values.ca.existingSecret | default .Values.ca.secretName | default (printf "%s-ca" (include "smsgate-ca.fullname" .)) }}
{{- end }}

{{- define "smsgate-ca.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{- define "smsgate-ca.leaseName" -}}
{{- default (printf "%s-leader" (include "smsgate-ca.fullname" .)) .Values.leaderElection.id }}
{{- end }}

{{- define "smsgate-ca.clusterResourceNamespace" -}}
{{- default .Release.Namespace .Values.controller.clusterResourceNamespace }}
{{- end }}

{{/*
The namespaces the operator watches with controller.watchNamespaces, comma-separated: those listed
plus the release namespace (where the REST and ACME records live), each once. Empty: every namespace.
*/}}
{{- define "smsgate-ca.watchedNamespaces" -}}
{{- with .Values.controller.watchNamespaces }}
{{- append . $.Release.Namespace | uniq | join "," }}
{{- end }}
{{- end }}

{{/* "true" when the operator publishes the root in a ConfigMap. */}}
{{- define "smsgate-ca.trustConfigMapEnabled" -}}
{{- if or .Values.trust.configMap.enabled .Values.trustManager.enabled }}true{{ end }}
{{- end }}

{{- define "smsgate-ca.trustConfigMapName" -}}
{{- default (printf "%s-root-ca" (include "smsgate-ca.fullname" .)) .Values.trust.configMap.name }}
{{- end }}

{{- define "smsgate-ca.trustConfigMapNamespace" -}}
{{- default .Release.Namespace .Values.trust.configMap.namespace }}
{{- end }}

{{/* Secret holding the serving certificate in `secret` and `certManager` TLS modes. */}}
{{- define "smsgate-ca.tlsSecretName" -}}
{{- $tls := .Values.config.tls }}
{{- if eq $tls.mode "secret" }}
{{- required "config.tls.secretName is required when config.tls.mode is secret" $tls.secretName }}
{{- else }}
{{- default (printf "%s-tls" (include "smsgate-ca.fullname" .)) $tls.secretName }}
{{- end }}
{{- end }}

{{/* "true" when the server reads its serving certificate from a Secret. */}}
{{/* "true" when the admin API takes client certificates from an admin CA bundle (ConfigMap or Secret). */}}
{{- define "smsgate-ca.adminClientCa" -}}
{{- if or .Values.config.adminClientCa.configMap .Values.config.adminClientCa.secret }}true{{ end }}
{{- end }}

{{- define "smsgate-ca.tlsFromSecret" -}}
{{- if has .Values.config.tls.mode (list "secret" "certManager") }}true{{ end }}
{{- end }}

{{- define "smsgate-ca.scheme" -}}
{{- if eq .Values.config.tls.mode "insecureHttp" }}http{{ else }}https{{ end }}
{{- end }}

{{/* In-cluster DNS names of the Service. */}}
{{- define "smsgate-ca.serviceDnsNames" -}}
{{- $svc := include "smsgate-ca.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson }}
{{- end }}

{{/* Base URL of REST + ACME through the Service. */}}
{{- define "smsgate-ca.serviceUrl" -}}
{{- $port := int .Values.service.port }}
{{- $scheme := include "smsgate-ca.scheme" . }}
{{- $host := printf "%s.%s.svc" (include "smsgate-ca.fullname" .) .Release.Namespace }}
{{- if or (and (eq $scheme "https") (eq $port 443)) (and (eq $scheme "http") (eq $port 80)) }}
{{- printf "%s://%s" $scheme $host }}
{{- else }}
{{- printf "%s://%s:%d" $scheme $host $port }}
{{- end }}
{{- end }}

{{/* Secret + key + server name a client uses to verify the serving certificate (TLS modes only). */}}
{{- define "smsgate-ca.servingTrust" -}}
{{- if include "smsgate-ca.tlsFromSecret" . }}
{{- dict "secret" (include "smsgate-ca.tlsSecretName" .) "key" "ca.crt" "serverName" (printf "%s.%s.svc" (include "smsgate-ca.fullname" .) .Release.Namespace) | toJson }}
{{- else }}
{{- dict "secret" (include "smsgate-ca.caSecretName" .) "key" "ca.crt" "serverName" "localhost" | toJson }}
{{- end }}
{{- end }}

{{/* Cross-field checks the JSON schema cannot express. */}}
{{- define "smsgate-ca.validate" -}}
{{- if and (eq .Values.store.type "sqlite") (gt (int .Values.replicaCount) 1) }}
{{- fail "store.type sqlite keeps state in one pod: replicaCount must be 1" }}
{{- end }}
{{- if and (ne .Values.config.restApproval "auto") (ne .Values.store.type "sqlite") (not .Values.controller.enabled) }}
{{- fail "config.restApproval requester or manual with store.type kubernetes needs controller.enabled: the controller signs what an Approved condition approves" }}
{{- end }}
{{- if and .Values.config.adminClientCa.configMap .Values.config.adminClientCa.secret }}
{{- fail "config.adminClientCa: give configMap or secret, not both" }}
{{- end }}
{{- if and (include "smsgate-ca.adminClientCa" .) (eq .Values.config.tls.mode "insecureHttp") }}
{{- fail "config.adminClientCa needs TLS in the pod: client certificates are part of the handshake, which config.tls.mode insecureHttp leaves to a proxy" }}
{{- end }}
{{- if and (eq .Values.config.tls.mode "certManager") (not .Values.config.tls.certManager.issuerRef.name) }}
{{- fail "config.tls.certManager.issuerRef.name is required when config.tls.mode is certManager" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: /metrics is served only on the metrics port" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (not (kindIs "invalid" .Values.podDisruptionBudget.minAvailable)) (not (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set either minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- end }}
