package io.slipway.oci.registry;

import java.io.EOFException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A request body read from a region of a file as the HTTP client asks for it, so an upload never holds more than a
 * few buffers in memory, and reports the bytes handed over. Each subscription reads the region afresh, so a retried
 * request sends the same bytes again.
 */
final class FileRegionPublisher implements HttpRequest.BodyPublisher {

    private static final int BUFFER = 256 * 1024;

    private final Path file;
    private final long offset;
    private final long length;
    private final LongConsumer sent;

    FileRegionPublisher(Path file, long offset, long length, LongConsumer sent) {
        this.file = file;
        this.offset = offset;
        this.length = length;
        this.sent = sent;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override public void request(long n) { }
                @Override public void cancel() { }
            });
            subscriber.onError(e);
            return;
        }
        subscriber.onSubscribe(new RegionSubscription(channel, subscriber));
    }

    private final class RegionSubscription implements Flow.Subscription {
        private final FileChannel channel;
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private long position = offset;
        private volatile boolean done;

        RegionSubscription(FileChannel channel, Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.channel = channel;
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                finish(new IllegalArgumentException("non-positive request " + n));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            done = true;
            close();
        }

        /** Emits while there is demand; one thread at a time, re-entrant calls from onNext only add work. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (!done && demand.get() > 0) {
                    long end = offset + length;
                    if (position >= end) {
                        done = true;
                        close();
                        subscriber.onComplete();
                        return;
                    }
                    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, end - position));
                    try {
                        while (buffer.hasRemaining()) {
                            if (channel.read(buffer, position + buffer.position()) < 0) {
                                throw new EOFException(file + " ended before byte " + end + " (changed while uploading?)");
                            }
                        }
                    } catch (IOException e) {
                        finish(e);
                        return;
                    }
                    buffer.flip();
                    position += buffer.remaining();
                    demand.decrementAndGet();
                    sent.accept(buffer.remaining());
                    subscriber.onNext(buffer);
                }
                if (!done && position >= offset + length) {
                    done = true;
                    close();
                    subscriber.onComplete();
                    return;
                }
            } while (wip.decrementAndGet() != 0);
        }

        private void finish(Throwable error) {
            if (!done) {
                done = true;
                close();
                subscriber.onError(error);
            }
        }

        private void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel: nothing was lost
            }
        }
    }
}
