{{/*
Names and labels, prefixed with the chart name.
*/}}
{{- define "regional-llm.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "regional-llm.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "regional-llm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "regional-llm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "regional-llm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "regional-llm.labels" -}}
helm.sh/chart: {{ include "regional-llm.chart" . }}
{{ include "regional-llm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: regional-llm
regional-llm/region: {{ .Values.region | quote }}
{{- end }}

{{- define "regional-llm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "regional-llm.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
An image reference: repository@digest when a digest is set, else repository:tag.
Call with (dict "image" .Values.image).
*/}}
{{- define "regional-llm.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository .image.tag }}
{{- end }}
{{- end }}

{{/*
Paths inside the container (Dockerfile.gpu documents the same ones).
*/}}
{{- define "regional-llm.regionsDir" -}}/etc/regional-llm/regions{{- end }}
{{- define "regional-llm.modelsDir" -}}/etc/regional-llm/models{{- end }}
{{- define "regional-llm.secretsDir" -}}/etc/regional-llm/secrets{{- end }}
{{- define "regional-llm.weightsDir" -}}/models{{- end }}

{{/* http, or https when the server has a TLS certificate. */}}
{{- define "regional-llm.scheme" -}}
{{- if .Values.tls.existingSecret }}https{{ else }}http{{ end }}
{{- end }}

{{/*
The region's policy file as the chart carries it (files/regions links to the repository's regions/).
Only ever passed on verbatim: re-serializing it would turn the Norway code NO into a YAML 1.1 boolean.
*/}}
{{- define "regional-llm.policyPath" -}}
{{- printf "files/regions/%s.yaml" .Values.region }}
{{- end }}

{{/* The region's policy, parsed: include "regional-llm.policy" . | fromYaml */}}
{{- define "regional-llm.policy" -}}
{{- .Files.Get (include "regional-llm.policyPath" .) }}
{{- end }}

{{/* The folder of the build manifests of the region's jurisdiction, e.g. files/models/eu */}}
{{- define "regional-llm.manifestsDir" -}}
{{- $policy := include "regional-llm.policy" . | fromYaml }}
{{- printf "files/models/%s" (lower (toString $policy.jurisdiction)) }}
{{- end }}

{{/* The build this release serves: values' build, else the policy's default_build, else its first build. */}}
{{- define "regional-llm.servedBuild" -}}
{{- $policy := include "regional-llm.policy" . | fromYaml }}
{{- if .Values.build }}
{{- .Values.build }}
{{- else if $policy.default_build }}
{{- $policy.default_build }}
{{- else }}
{{- first $policy.builds }}
{{- end }}
{{- end }}

{{/*
The codes a region accepts, as strings. Helm parses YAML 1.1, where the bare Norway code NO reads as
false; the region files are YAML 1.2, where it is the string "NO".
*/}}
{{- define "regional-llm.acceptedOrigins" -}}
{{- $policy := include "regional-llm.policy" . | fromYaml }}
{{- $codes := list }}
{{- range $policy.accepted_origins }}
{{- if and (kindIs "bool" .) (not .) }}
{{- $codes = append $codes "NO" }}
{{- else }}
{{- $codes = append $codes (upper (toString .)) }}
{{- end }}
{{- end }}
{{- join "," $codes }}
{{- end }}

{{/*
Fail rendering, with one message per problem, when the values do not make a safe release of one region:
the region must have a policy, the pods must be pinned to the region's nodes, the region's jurisdiction
must have builds (the served one among them, its weights on the model volume, its GPUs requested), keyed
PII actions need their key, the audit store must be the shared PostgreSQL.
*/}}
{{- define "regional-llm.validateValues" -}}
{{- $messages := list }}
{{- $region := .Values.region }}
{{- $known := list }}
{{- range $path, $_ := .Files.Glob "files/regions/*.yaml" }}
{{- $known = append $known (base $path | trimSuffix ".yaml") }}
{{- end }}
{{- $knownText := join ", " (sortAlpha $known) }}
{{- if not $region }}
{{- $messages = append $messages (printf "region: not set; choose one of the region policies in regions/ (%s), e.g. -f values-eu-central-1.yaml" $knownText) }}
{{- else if not (.Files.Get (include "regional-llm.policyPath" .)) }}
{{- $messages = append $messages (printf "region: %q has no policy in regions/ (known regions: %s)" $region $knownText) }}
{{- else }}
{{- $policy := include "regional-llm.policy" . | fromYaml }}
{{- if ne (toString $policy.id) $region }}
{{- $messages = append $messages (printf "region: regions/%s.yaml names the region %q" $region (toString $policy.id)) }}
{{- end }}
{{- $nodeRegion := index .Values.nodeSelector "topology.kubernetes.io/region" | default "" | toString }}
{{- if ne $nodeRegion $region }}
{{- $messages = append $messages (printf "nodeSelector: topology.kubernetes.io/region is %q but the region is %q; the pods must run on the region's own nodes" $nodeRegion $region) }}
{{- end }}
{{- $jurisdiction := toString $policy.jurisdiction }}
{{- $weights := printf "%s/" (include "regional-llm.weightsDir" .) }}
{{- $allowed := default (list) $policy.builds | toStrings }}
{{- $servedId := include "regional-llm.servedBuild" . }}
{{- $manifests := dict }}
{{- range $path, $_ := .Files.Glob (printf "%s/*.yaml" (include "regional-llm.manifestsDir" .)) }}
{{- $manifest := $.Files.Get $path | fromYaml }}
{{- $_ := set $manifests (toString $manifest.id) $manifest }}
{{- end }}
{{- if not $manifests }}
{{- $messages = append $messages (printf "region: %q has jurisdiction %s, which has no build manifests in models/%s/" $region $jurisdiction (lower $jurisdiction)) }}
{{- else }}
{{- range $id := $allowed }}
{{- $manifest := get $manifests $id }}
{{- if not $manifest }}
{{- $messages = append $messages (printf "region: regions/%s.yaml lists build %q, which has no manifest in models/%s/" $region $id (lower $jurisdiction)) }}
{{- else if eq (toString (dig "source" "kind" "" $manifest)) "folder" }}
{{- $folder := toString (dig "source" "path" "" $manifest) }}
{{- if not (hasPrefix $weights (clean $folder)) }}
{{- $messages = append $messages (printf "build: %s's source.path %q must lie under %s, where the chart mounts the model volume" $id $folder $weights) }}
{{- end }}
{{- end }}
{{- end }}
{{- if not (has $servedId $allowed) }}
{{- $messages = append $messages (printf "build: %q is not one of the builds region %s may serve (%s)" $servedId $region (join ", " $allowed)) }}
{{- else if hasKey $manifests $servedId }}
{{- /* A build spread over several GPUs (vLLM tensor parallelism) needs that many in its pod. */}}
{{- $parallel := dig "engine" "vllm" "tensor_parallel_size" 1 (get $manifests $servedId) | int }}
{{- if gt $parallel (int .Values.gpu.count) }}
{{- $messages = append $messages (printf "gpu.count: build %s spans %d GPUs (engine.vllm.tensor_parallel_size) but each pod requests %d" $servedId $parallel (int .Values.gpu.count)) }}
{{- end }}
{{- end }}
{{- end }}
{{- $actions := values (dig "privacy" "entities" (dict) $policy) | toStrings }}
{{- $actions = append $actions (toString (dig "privacy" "default_action" "pseudonymize" $policy)) }}
{{- $keyed := list }}
{{- range $action := list "hash" "encrypt" }}
{{- if has $action $actions }}
{{- $keyed = append $keyed $action }}
{{- end }}
{{- end }}
{{- if and $keyed (not .Values.privacy.existingSecret) }}
{{- $messages = append $messages (printf "privacy.existingSecret: regions/%s.yaml uses the PII action %s, which needs a key; name the Secret holding it" $region (join " and " $keyed)) }}
{{- end }}
{{- if .Values.helmTest.enabled }}
{{- $accepted := splitList "," (include "regional-llm.acceptedOrigins" .) }}
{{- if not .Values.helmTest.origin }}
{{- $messages = append $messages (printf "helmTest.origin: not set; name an origin region %s accepts (the test expects 200 for it), or set helmTest.enabled=false" $region) }}
{{- else if not (has (upper .Values.helmTest.origin) $accepted) }}
{{- $messages = append $messages (printf "helmTest.origin: %q is not accepted by region %s; the test expects 200 for it" .Values.helmTest.origin $region) }}
{{- end }}
{{- if not .Values.helmTest.foreignOrigin }}
{{- $messages = append $messages (printf "helmTest.foreignOrigin: not set; name an origin region %s refuses (the test expects 403 for it), or set helmTest.enabled=false" $region) }}
{{- else if has (upper .Values.helmTest.foreignOrigin) $accepted }}
{{- $messages = append $messages (printf "helmTest.foreignOrigin: %q is accepted by region %s; the test expects 403 for it" .Values.helmTest.foreignOrigin $region) }}
{{- end }}
{{- end }}
{{- end }}
{{- $auth := .Values.auth }}
{{- $clientCa := .Values.tls.clientCa.existingSecret }}
{{- if and (not $auth.existingSecret) (not $auth.insecureNoAuth) }}
{{- $messages = append $messages "auth.existingSecret: name the Secret holding the grants file (API keys from `regional-llm keys create`, client-certificate grants), or set auth.insecureNoAuth=true to serve anyone the NetworkPolicy lets in" }}
{{- end }}
{{- if and $auth.existingSecret $auth.insecureNoAuth }}
{{- $messages = append $messages "auth.insecureNoAuth: true contradicts auth.existingSecret: callers are identified; the server would refuse to start" }}
{{- end }}
{{- if and $clientCa (not $auth.existingSecret) }}
{{- $messages = append $messages "tls.clientCa.existingSecret: client certificates need grants; name the grants file's Secret in auth.existingSecret" }}
{{- end }}
{{- if and $clientCa (not .Values.tls.existingSecret) }}
{{- $messages = append $messages "tls.clientCa.existingSecret: mutual TLS needs the server's own certificate; name its Secret in tls.existingSecret" }}
{{- end }}
{{- if and .Values.helmTest.enabled $auth.existingSecret (not .Values.helmTest.apiKey.existingSecret) }}
{{- $messages = append $messages "helmTest.apiKey.existingSecret: callers are identified; name the Secret holding an API key granted helmTest.origin, or set helmTest.enabled=false" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled $auth.existingSecret (not $auth.publicMetrics) (not .Values.serviceMonitor.apiKey.existingSecret) }}
{{- $messages = append $messages "serviceMonitor.apiKey.existingSecret: /metrics needs an identity; name the Secret holding the scraper's API key, or set auth.publicMetrics=true" }}
{{- end }}
{{- if not .Values.audit.existingSecret }}
{{- $messages = append $messages "audit.existingSecret: name the Secret holding the PostgreSQL URL and the audit key; a region's replicas share one audit store (an embedded SQLite file would be lost with the pod)" }}
{{- end }}
{{- if not (or .Values.models.persistentVolumeClaim.claimName .Values.models.volume) }}
{{- $messages = append $messages "models: set persistentVolumeClaim.claimName (or volume) to the volume holding the build folders" }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.auditDatabase.to) }}
{{- $messages = append $messages "networkPolicy.auditDatabase.to: name where the audit PostgreSQL is (an ipBlock, or namespace and pod selectors); the pods may reach nothing else but DNS" }}
{{- end }}
{{- if $messages }}
{{- fail (printf "\n\nregional-llm: these values do not make a safe release:\n  - %s\n" (join "\n  - " $messages)) }}
{{- end }}
{{- end }}
