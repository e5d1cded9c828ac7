package io.slipway.event.sink.file;

import io.slipway.event.route.EventView;
import io.slipway.event.route.Layout;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.SinkEvent;
import io.slipway.event.sink.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One JSON line per event (the layout, or the event document) on standard output or appended to a file; a batch is
 * written and flushed at once. A failed write (disk full, directory gone) is retried.
 */
public final class FileTransport implements Transport {
    private final Path path;
    private final Layout layout;
    private final PrintStream stdout;
    private OutputStream out;

    private FileTransport(Path path, Layout layout, PrintStream stdout) {
        this.path = path;
        this.layout = layout;
        this.stdout = stdout;
    }

    public static FileTransport file(Path path, Layout layout) {
        return new FileTransport(path, layout, null);
    }

    public static FileTransport stdout(Layout layout) {
        return new FileTransport(null, layout, System.out);
    }

    @Override
    public List<Outcome> send(Notification n) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (SinkEvent e : n.events()) {
            Object doc = layout != null ? layout.render(e.view()) : EventView.document(e.event());
            lines.append(HttpSend.JSON.writeValueAsString(doc)).append('\n');
        }
        byte[] bytes = lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (stdout != null) {
            synchronized (stdout) {
                stdout.write(bytes);
                stdout.flush();
            }
        } else {
            try {
                output().write(bytes);
                out.flush();
            } catch (IOException e) {
                closeQuietly();
                throw e;
            }
        }
        return List.of(Outcome.DELIVERED);
    }

    private OutputStream output() throws IOException {
        if (out == null) {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            // a link planted in the directory does not take the events elsewhere
            out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        return out;
    }

    private void closeQuietly() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // the stream is replaced on the next attempt either way
        } finally {
            out = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
