{{/*
The controller's rules. Context: dict "Values" .Values "scope" ("cluster": everything, for the
ClusterRole of a cluster-wide install; "namespace": the namespaced kinds only, for the Role in each
watched namespace) and "records" (true where the REST API and ACME create their records, and label and annotate them).
*/}}
{{- define "smsgate-ca.controllerRules" -}}
{{- $cluster := eq .scope "cluster" -}}
- apiGroups: ["smsgate-ca.sms-gate.app"]
  {{- if .records }}
  # create: the REST API and ACME record every request as a CertificateRequest.
  {{- end }}
  resources: ["certificaterequests"]
  verbs: ["get", "list", "watch"{{ if .records }}, "create", "patch"{{ end }}]
- apiGroups: ["smsgate-ca.sms-gate.app"]
  resources: [{{ if $cluster }}"ipissuers", "ipclusterissuers"{{ else }}"ipissuers"{{ end }}]
  verbs: ["get", "list", "watch"]
- apiGroups: ["smsgate-ca.sms-gate.app"]
  resources: ["certificaterequests/status", "ipissuers/status"{{ if $cluster }}, "ipclusterissuers/status"{{ end }}]
  verbs: ["patch"]
{{- if .Values.controller.secretOwnerReferences }}
- apiGroups: ["smsgate-ca.sms-gate.app"]
  # Owner references with blockOwnerDeletion on the Secrets (controller.secretOwnerReferences)
  # need this where the OwnerReferencesPermissionEnforcement admission plugin is on.
  resources: ["certificaterequests/finalizers"]
  verbs: ["update"]
{{- end }}
- apiGroups: [""]
  # The kubernetes.io/tls Secrets of CertificateRequests (watched to repair deletion or tampering)
  # and the Secrets IPIssuers name. Never delete: Secrets outlive their requests, or garbage
  # collection follows owner references (controller.secretOwnerReferences).
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
- apiGroups: [""]
  # patch: a repeated Event within ten minutes bumps the count of the first.
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.certManager.enabled }}
- apiGroups: ["cert-manager.io"]
  resources: ["certificaterequests"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["cert-manager.io"]
  resources: ["certificaterequests/status"]
  verbs: ["patch"]
{{- end }}
{{- end }}
