{{/* Chart name, possibly overridden. */}}
{{- define "sdfleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-wide name prefix of every object (at most 63 characters less the longest component suffix). */}}
{{- define "sdfleet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sdfleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Kubernetes recommended labels. Call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "sdfleet.labels" -}}
helm.sh/chart: {{ include "sdfleet.chart" .ctx }}
{{ include "sdfleet.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: sdfleet
{{- end }}

{{- define "sdfleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sdfleet.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Pod template metadata: labels and annotations. Call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "sdfleet.podMetadata" -}}
labels:
  {{- include "sdfleet.labels" . | nindent 2 }}
  {{- with .ctx.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .ctx.Values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* An sdfleet image. Call with (dict "ctx" $ "image" .Values.gateway.image). */}}
{{- define "sdfleet.image" -}}
{{- $repository := .image.repository }}
{{- with .ctx.Values.image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}
{{- end }}
{{- $tag := .image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion }}
{{- printf "%s:%s" $repository (toString $tag) }}
{{- end }}

{{- define "sdfleet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sdfleet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the sdfleet services. */}}
{{- define "sdfleet.podSpecCommon" -}}
serviceAccountName: {{ include "sdfleet.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Actuator probes. Call with (dict "port" "http"). */}}
{{- define "sdfleet.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: {{ .port }}
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: {{ .port }}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: {{ .port }}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end }}

{{/* Object names. */}}
{{- define "sdfleet.credentialsSecretName" -}}
{{- printf "%s-credentials" (include "sdfleet.fullname" .) }}
{{- end }}

{{- define "sdfleet.rabbitmq.secretName" -}}
{{- .Values.credentials.rabbitmq.existingSecret | default (include "sdfleet.credentialsSecretName" .) }}
{{- end }}

{{- define "sdfleet.postgresql.secretName" -}}
{{- .Values.credentials.postgresql.existingSecret | default (include "sdfleet.credentialsSecretName" .) }}
{{- end }}

{{- define "sdfleet.s3.secretName" -}}
{{- .Values.credentials.s3.existingSecret | default (include "sdfleet.credentialsSecretName" .) }}
{{- end }}

{{- define "sdfleet.internal.secretName" -}}
{{- .Values.credentials.internal.existingSecret | default (include "sdfleet.credentialsSecretName" .) }}
{{- end }}

{{/* Key, in the chart's own Secret, of the tokens accepted during a rotation (there even with an existingSecret). */}}
{{- define "sdfleet.internal.acceptedTokensKey" -}}internal-accepted-tokens{{- end }}

{{/* Whether the chart's own credentials Secret is needed (some credential has no existing secret, or rotation). */}}
{{- define "sdfleet.createCredentialsSecret" -}}
{{- $c := .Values.credentials }}
{{- if or (not $c.rabbitmq.existingSecret) (not $c.postgresql.existingSecret) (not $c.s3.existingSecret) (not $c.internal.existingSecret) $c.internal.acceptedTokens (not $c.admin.existingSecret) }}true{{ end }}
{{- end }}

{{/*
Fails the render on an internal token the services would refuse at start-up (they want at least 32 characters):
better a failed upgrade than pods in a crash loop. The schema says the same; this also holds without it.
*/}}
{{- define "sdfleet.internal.validate" -}}
{{- $i := .Values.credentials.internal }}
{{- if and $i.token (lt (len (trim $i.token)) 32) }}
{{- fail (printf "credentials.internal.token must be at least 32 characters (it has %d); leave it empty to generate one" (len (trim $i.token))) }}
{{- end }}
{{- range $t := splitList "," ($i.acceptedTokens | default "") }}
{{- if and (trim $t) (lt (len (trim $t)) 32) }}
{{- fail "every token in credentials.internal.acceptedTokens must be at least 32 characters" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The internal credential's environment, for each of the four services. */}}
{{- define "sdfleet.internalEnv" -}}
- name: SDFLEET_INTERNAL_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.internal.secretName" . }}
      key: {{ .Values.credentials.internal.tokenKey }}
{{- if .Values.credentials.internal.acceptedTokens }}
- name: SDFLEET_INTERNAL_ACCEPTED_TOKENS
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.credentialsSecretName" . }}
      key: {{ include "sdfleet.internal.acceptedTokensKey" . }}
{{- end }}
{{- end }}

{{/* The gateway's bootstrap admin key, from the chart's Secret or an existing one. */}}
{{- define "sdfleet.adminEnv" -}}
- name: SDFLEET_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.credentials.admin.existingSecret | default (include "sdfleet.credentialsSecretName" .) }}
      key: {{ .Values.credentials.admin.keyKey }}
{{- end }}

{{/* Infrastructure endpoints: the bundled servers' Services, else the external ones (required then). */}}
{{- define "sdfleet.rabbitmq.host" -}}
{{- if .Values.rabbitmq.enabled }}
{{- printf "%s-rabbitmq" (include "sdfleet.fullname" .) }}
{{- else }}
{{- required "external.rabbitmq.host is required when rabbitmq.enabled is false" .Values.external.rabbitmq.host }}
{{- end }}
{{- end }}

{{- define "sdfleet.rabbitmq.port" -}}
{{- if .Values.rabbitmq.enabled }}5672{{ else }}{{ .Values.external.rabbitmq.port }}{{ end }}
{{- end }}

{{- define "sdfleet.rabbitmq.managementPort" -}}
{{- if .Values.rabbitmq.enabled }}15672{{ else }}{{ .Values.external.rabbitmq.managementPort }}{{ end }}
{{- end }}

{{- define "sdfleet.rabbitmq.vhost" -}}
{{- if .Values.rabbitmq.enabled }}/{{ else }}{{ .Values.external.rabbitmq.vhost }}{{ end }}
{{- end }}

{{- define "sdfleet.postgresql.jdbcUrl" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "jdbc:postgresql://%s-postgresql:5432/%s" (include "sdfleet.fullname" .) .Values.postgresql.database }}
{{- else }}
{{- $host := required "external.postgresql.host is required when postgresql.enabled is false" .Values.external.postgresql.host }}
{{- printf "jdbc:postgresql://%s:%v/%s%s" $host .Values.external.postgresql.port .Values.external.postgresql.database .Values.external.postgresql.jdbcParameters }}
{{- end }}
{{- end }}

{{- define "sdfleet.s3.endpoint" -}}
{{- if .Values.minio.enabled }}
{{- printf "http://%s-minio:9000" (include "sdfleet.fullname" .) }}
{{- else }}
{{- required "external.s3.endpoint is required when minio.enabled is false" .Values.external.s3.endpoint }}
{{- end }}
{{- end }}

{{- define "sdfleet.storageUrl" -}}
{{- printf "http://%s-storage:%v" (include "sdfleet.fullname" .) .Values.storage.service.port }}
{{- end }}

{{/* Environment for every service that talks to the broker. */}}
{{- define "sdfleet.amqpEnv" -}}
- name: SDFLEET_AMQP_HOST
  value: {{ include "sdfleet.rabbitmq.host" . | quote }}
- name: SDFLEET_AMQP_PORT
  value: {{ include "sdfleet.rabbitmq.port" . | quote }}
- name: SDFLEET_AMQP_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.rabbitmq.secretName" . }}
      key: {{ .Values.credentials.rabbitmq.usernameKey }}
- name: SDFLEET_AMQP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.rabbitmq.secretName" . }}
      key: {{ .Values.credentials.rabbitmq.passwordKey }}
{{- $vhost := include "sdfleet.rabbitmq.vhost" . }}
{{- if ne $vhost "/" }}
- name: SPRING_RABBITMQ_VIRTUAL_HOST
  value: {{ $vhost | quote }}
{{- end }}
{{- with .Values.messaging.prefix }}
- name: SDFLEET_MESSAGING_PREFIX
  value: {{ . | quote }}
{{- end }}
- name: MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED
  value: "true"
{{- end }}

{{/* Environment of the services with a database (storage; the gateway and the scheduler each in their own schema). */}}
{{- define "sdfleet.dbEnv" -}}
- name: SDFLEET_DB_URL
  value: {{ include "sdfleet.postgresql.jdbcUrl" . | quote }}
- name: SDFLEET_DB_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.postgresql.secretName" . }}
      key: {{ .Values.credentials.postgresql.usernameKey }}
- name: SDFLEET_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sdfleet.postgresql.secretName" . }}
      key: {{ .Values.credentials.postgresql.passwordKey }}
{{- end }}

{{/* Environment of the services that read models (gateway, workers). */}}
{{- define "sdfleet.modelsEnv" -}}
- name: SDFLEET_MODELS_DIR
  value: {{ .Values.models.mountPath | quote }}
- name: SDFLEET_DEFAULT_MODEL
  value: {{ .Values.models.defaultModel | quote }}
- name: SDFLEET_TOKENIZER
  value: {{ .Values.models.tokenizer | quote }}
- name: SDFLEET_STORAGE_URL
  value: {{ include "sdfleet.storageUrl" . | quote }}
{{- end }}

{{- define "sdfleet.modelsVolume" -}}
- name: models
{{- if .Values.models.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .Values.models.persistence.existingClaim | default (printf "%s-models" (include "sdfleet.fullname" .)) }}
    readOnly: true
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{- define "sdfleet.modelsVolumeMount" -}}
- name: models
  mountPath: {{ .Values.models.mountPath }}
  readOnly: true
{{- end }}

{{/* A NetworkPolicy peer: the pods of one component of this release. Call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "sdfleet.peer" -}}
- podSelector:
    matchLabels:
      {{- include "sdfleet.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* A label selector of the worker pods of this release, every variant. */}}
{{- define "sdfleet.workersSelector" -}}
matchLabels:
  app.kubernetes.io/name: {{ include "sdfleet.name" . }}
  app.kubernetes.io/instance: {{ .Release.Name }}
matchExpressions:
  - key: app.kubernetes.io/component
    operator: In
    values: [worker-cpu, worker-gpu]
{{- end }}

{{/* A NetworkPolicy peer: the worker pods. */}}
{{- define "sdfleet.workersPeer" -}}
- podSelector:
    {{- include "sdfleet.workersSelector" . | nindent 4 }}
{{- end }}

{{/* An ingress rule for the metrics scrapers (networkPolicy.metrics*) on this port, or nothing when none is set. Call with (dict "ctx" $ "port" 8081). */}}
{{- define "sdfleet.metricsIngress" -}}
{{- $np := .ctx.Values.networkPolicy }}
{{- if or $np.metricsNamespaceSelector $np.metricsPodSelector }}
- from:
    - {{- with $np.metricsNamespaceSelector }}
      namespaceSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- end }}
      {{- with $np.metricsPodSelector }}
      podSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- end }}
  ports:
    - port: {{ .port }}
      protocol: TCP
{{- end }}
{{- end }}
