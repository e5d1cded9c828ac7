package io.slipway.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for what a client library will not send: a Content-Length with no body behind it, a
 * chunked body cut short. Reads the answer's head and its body by Content-Length, so a server that keeps the connection
 * open (draining what it refused) does not hang the test.
 */
public final class RawHttp {

    /** Writes a request body, or some of it. */
    public interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    private RawHttp() {
    }

    /** Sends {@code head} (request line and headers, ending in an empty line) and then {@code body}; returns head and body of the answer. */
    public static String exchange(int port, String head, BodyWriter body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                body.write(out);
                out.flush();
            } catch (IOException e) {
                // the server may close the connection while the rest of the body is on its way: its answer is what counts
            }
            InputStream in = socket.getInputStream();
            StringBuilder response = new StringBuilder();
            int contentLength = 0;
            for (String line = headLine(in); !line.isEmpty(); line = headLine(in)) {
                response.append(line).append("\r\n");
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return response.append("\r\n").append(new String(in.readNBytes(contentLength), StandardCharsets.UTF_8)).toString();
        }
    }

    private static String headLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
