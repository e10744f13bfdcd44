{{/* The pull request number, checked: a positive integer, so a missing or zero value fails the render instead of naming pr-0. */}}
{{- define "preview.number" -}}
{{- $n := toString (required "prNumber is required (the pull request number)" .Values.prNumber) -}}
{{- if not (regexMatch "^[1-9][0-9]*$" $n) -}}
{{- fail (printf "prNumber must be a pull request number (a positive integer), not %q" $n) -}}
{{- end -}}
{{- $n -}}
{{- end -}}

{{/* pr-<number>-<first 8 characters of the head SHA>: the tag CI pushes and Argo CD's {{.head_short_sha}} names. */}}
{{- define "preview.tag" -}}
{{- $sha := required "headSha is required (the pull request's head commit)" .Values.headSha -}}
{{- if not (regexMatch "^[0-9a-f]{8,40}$" $sha) -}}
{{- fail (printf "headSha must be a commit SHA (hexadecimal), not %q" $sha) -}}
{{- end -}}
{{- printf "pr-%s-%s" (include "preview.number" .) (trunc 8 $sha) -}}
{{- end -}}
