package io.slipway.event.route;

/** The message texts chat receivers get when their configuration gives none. */
public final class ChatText {
    /** kube-eventer's DingTalk text, field for field, so people used to it read the same message. */
    public static final String KUBE_EVENTER_TEXT = """
            Level:{{ .Type }} \nKind:{{ .InvolvedObject.Kind }} \nNamespace:{{ .Namespace }} \nName:{{ .InvolvedObject.Name }} \
            \nReason:{{ .Reason }} \nTimestamp:{{ .LastTimestamp }} \nMessage:{{ .Message }}""";

    public static final String TEXT = """
            [{{ .Type }}] {{ .Reason }}: {{ .InvolvedObject.Kind }} {{ .Namespace }}/{{ .InvolvedObject.Name }}
            {{ .Message }}
            cluster: {{ .Cluster }} · count: {{ .Count }} · last seen: {{ .LastTimestamp }}""";

    public static final String MARKDOWN = """
            ### {{ .Type }}: {{ .Reason }}
            - **Object**: {{ .InvolvedObject.Kind }} {{ .Namespace }}/{{ .InvolvedObject.Name }}
            - **Cluster**: {{ .Cluster }}
            - **Count**: {{ .Count }}
            - **Last seen**: {{ .LastTimestamp }}

            > {{ .Message }}""";

    public static final String TITLE = "{{ .Type }} {{ .Reason }} {{ .InvolvedObject.Kind }}/{{ .InvolvedObject.Name }}";

    private ChatText() {
    }
}
