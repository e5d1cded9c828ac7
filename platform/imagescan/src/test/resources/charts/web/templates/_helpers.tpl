{{- define "web.image" -}}
{{- $registry := .Values.image.registry -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
