{{/*
The alerting rules, as a Prometheus rule file's `groups` (the PrometheusRule's
spec; the tests run them through promtool). Divergence reads the behaviour
medians each ParityCheck run exports; the operator alerts read the runtime's
controller-runtime metrics of this release's namespace.
*/}}
{{- define "understudy.ruleGroups" -}}
{{- $d := .Values.metrics.prometheusRule.divergence -}}
{{- $o := .Values.metrics.prometheusRule.operator -}}
{{- $sel := include "understudy.metricsSelector" . -}}
groups:
  - name: understudy.divergence
    rules:
      - alert: StagingProductionDivergence
        expr: |-
          (
            max by (check, service) (understudy_parity_behaviour_value{ {{- $sel }},metric="error-rate",side="staging"})
            - on (check, service)
            max by (check, service) (understudy_parity_behaviour_value{ {{- $sel }},metric="error-rate",side="production"})
          ) > {{ $d.errorRatePoints }}
        for: {{ $d.for }}
        labels:
          severity: {{ $d.severity }}
          signal: error-rate
        annotations:
          summary: Staging's error rate is above production's
          description: '{{ "{{" }} $labels.service {{ "}}" }} in ParityCheck {{ "{{" }} $labels.check {{ "}}" }}: staging errors exceed production''s by {{ "{{" }} $value | humanizePercentage {{ "}}" }} (more than {{ mulf $d.errorRatePoints 100 }} percentage points).'
      - alert: StagingProductionDivergence
        expr: |-
          (
            max by (check, service) (understudy_parity_behaviour_value{ {{- $sel }},metric="latency-p95",side="staging"})
            / on (check, service)
            max by (check, service) (understudy_parity_behaviour_value{ {{- $sel }},metric="latency-p95",side="production"} > 0)
          ) > {{ $d.latencyP95Ratio }}
        for: {{ $d.for }}
        labels:
          severity: {{ $d.severity }}
          signal: latency-p95
        annotations:
          summary: Staging's p95 latency is above production's
          description: '{{ "{{" }} $labels.service {{ "}}" }} in ParityCheck {{ "{{" }} $labels.check {{ "}}" }}: staging p95 is {{ "{{" }} $value | humanize {{ "}}" }} times production''s (more than {{ $d.latencyP95Ratio }}).'
  - name: understudy.operator
    rules:
      - alert: UnderstudyReconcileErrors
        expr: |-
          sum by (controller) (rate(controller_runtime_reconcile_errors_total{ {{- $sel }}}[10m]))
            / sum by (controller) (rate(controller_runtime_reconcile_total{ {{- $sel }}}[10m])) > {{ $o.reconcileErrorRatio }}
        for: {{ $o.for }}
        labels:
          severity: {{ $o.severity }}
        annotations:
          summary: The {{ "{{" }} $labels.controller {{ "}}" }} controller fails reconciles
          description: '{{ "{{" }} $value | humanizePercentage {{ "}}" }} of {{ "{{" }} $labels.controller {{ "}}" }} reconciles failed over 10 minutes.'
      - alert: UnderstudyWorkqueueBacklog
        expr: max by (controller) (workqueue_depth{ {{- $sel }},controller!=""}) > {{ $o.workqueueDepth }}
        for: {{ $o.for }}
        labels:
          severity: {{ $o.severity }}
        annotations:
          summary: The {{ "{{" }} $labels.controller {{ "}}" }} work queue is not draining
          description: '{{ "{{" }} $value {{ "}}" }} items wait in the {{ "{{" }} $labels.controller {{ "}}" }} queue.'
      {{- if and .Values.leaderElection.enabled .Values.deployment.enabled }}
      - alert: UnderstudyLeaderAbsent
        expr: |-
          max(leader_election_master_status{ {{- $sel }},name="understudy-operator"}) < 1
            or absent(leader_election_master_status{ {{- $sel }},name="understudy-operator"})
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: No understudy replica leads
          description: No replica of the operator in {{ .Release.Namespace }} holds the leader lease; nothing is reconciled.
      {{- end }}
      - alert: UnderstudySeedsFailing
        expr: sum by (runner, reason) (increase(understudy_seed_failures_total{ {{- $sel }}}[30m])) > 0
        labels:
          severity: {{ $o.severity }}
        annotations:
          summary: DataSeeds fail ({{ "{{" }} $labels.reason {{ "}}" }})
          description: '{{ "{{" }} $value | humanize {{ "}}" }} {{ "{{" }} $labels.runner {{ "}}" }} seeds failed with {{ "{{" }} $labels.reason {{ "}}" }} in the last 30 minutes.'
{{- end -}}
