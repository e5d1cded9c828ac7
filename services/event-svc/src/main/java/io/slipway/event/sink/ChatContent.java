package io.slipway.event.sink;

import io.slipway.event.route.ChatText;
import io.slipway.event.route.Template;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What chat receivers share: the message text of an event or a digest within the receiver's size limit, and HMAC. */
public final class ChatContent {
    private static final Template TEXT = Template.parse(ChatText.TEXT);
    private static final Template MARKDOWN = Template.parse(ChatText.MARKDOWN);
    private static final Template TITLE = Template.parse(ChatText.TITLE);

    private ChatContent() {
    }

    /** The text of the notification: the template (or the default) for one event, the digest's text for a digest. */
    public static String text(Notification n, Template template, boolean markdown, int maxBytes) {
        if (n.isDigest()) {
            return n.digest().text(markdown, maxBytes);
        }
        Template t = template != null ? template : markdown ? MARKDOWN : TEXT;
        return truncate(t.render(n.single().view()), maxBytes);
    }

    /** A title line (markdown messages, cards). */
    public static String title(Notification n, Template template) {
        if (n.isDigest()) {
            return n.digest().title();
        }
        return truncate((template != null ? template : TITLE).render(n.single().view()), 256);
    }

    /** The text cut to at most {@code maxBytes} UTF-8 bytes, never inside a character, marked when cut. */
    public static String truncate(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        String marker = "…";
        int budget = maxBytes - marker.getBytes(StandardCharsets.UTF_8).length;
        int end = Math.min(text.length(), budget);
        while (end > 0 && text.substring(0, end).getBytes(StandardCharsets.UTF_8).length > budget) {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + marker;
    }

    public static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
