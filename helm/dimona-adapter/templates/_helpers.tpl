{{- define "dimona-adapter.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dimona-adapter.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "dimona-adapter.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The highest replica count allowed: never more consumers than partitions. */}}
{{- define "dimona-adapter.maxReplicas" -}}
{{- $partitions := int .Values.config.kafka.partitions -}}
{{- $asked := int .Values.keda.maxReplicas -}}
{{- if or (eq $asked 0) (gt $asked $partitions) -}}{{ $partitions }}{{- else -}}{{ $asked }}{{- end -}}
{{- end -}}

{{/* Refuse values that would break the operating rules. */}}
{{- define "dimona-adapter.validate" -}}
{{- if le (float64 .Values.terminationGracePeriodSeconds) (float64 .Values.config.drainBudgetSeconds) -}}
{{- fail "terminationGracePeriodSeconds must be longer than config.drainBudgetSeconds" -}}
{{- end -}}
{{- if gt (int .Values.replicaCount) (int .Values.config.kafka.partitions) -}}
{{- fail "replicaCount must not exceed config.kafka.partitions" -}}
{{- end -}}
{{- if and .Values.keda.enabled (gt (int .Values.keda.maxReplicas) (int .Values.config.kafka.partitions)) -}}
{{- fail "keda.maxReplicas must not exceed config.kafka.partitions" -}}
{{- end -}}
{{- end -}}
