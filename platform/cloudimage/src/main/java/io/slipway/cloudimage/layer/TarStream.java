package io.slipway.cloudimage.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes tar headers that depend only on path, type, size and the executable bit: mtime 0, uid/gid 0, no user or
 * group names, modes 0644/0755 (0777 for symlinks). Names that do not fit ustar's 100 bytes (or are not ASCII), long
 * link targets and sizes of 8 GiB and more go through a PAX extended header whose own fields are fixed too.
 */
final class TarStream {

    static final int BLOCK = 512;
    private static final long USTAR_MAX_SIZE = 077777777777L;
    private static final byte[] ZEROS = new byte[BLOCK * 2];

    private final OutputStream out;
    private final byte[] header = new byte[BLOCK];
    private long written;

    TarStream(OutputStream out) {
        this.out = out;
    }

    void directory(String path) throws IOException {
        entry(path.endsWith("/") ? path : path + "/", '5', 0755, 0, "");
    }

    /** Writes a file's header; the caller then writes exactly {@code size} bytes and calls {@link #pad(long)}. */
    void fileHeader(String path, long size, boolean executable) throws IOException {
        entry(path, '0', executable ? 0755 : 0644, size, "");
    }

    void symlink(String path, String target) throws IOException {
        entry(path, '2', 0777, 0, target);
    }

    /** Content bytes go straight to the underlying stream, counted here. */
    void content(byte[] buffer, int offset, int length) throws IOException {
        out.write(buffer, offset, length);
        written += length;
    }

    void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(ZEROS, 0, BLOCK - rest);
            written += BLOCK - rest;
        }
    }

    /** The end-of-archive marker: two zero blocks. */
    void finish() throws IOException {
        out.write(ZEROS, 0, BLOCK * 2);
        written += BLOCK * 2;
    }

    long written() {
        return written;
    }

    private void entry(String path, char type, int mode, long size, String linkTarget) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        byte[] link = linkTarget.getBytes(StandardCharsets.UTF_8);
        boolean paxPath = name.length > 100 || !isPrintableAscii(name);
        boolean paxLink = link.length > 100 || !isPrintableAscii(link);
        boolean paxSize = size > USTAR_MAX_SIZE;
        if (paxPath || paxLink || paxSize) {
            StringBuilder records = new StringBuilder();
            if (paxPath) {
                records.append(paxRecord("path", path));
            }
            if (paxLink) {
                records.append(paxRecord("linkpath", linkTarget));
            }
            if (paxSize) {
                records.append(paxRecord("size", Long.toString(size)));
            }
            byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
            writeHeader(truncate("PaxHeaders/" + lastSegment(path)), 'x', 0644, pax.length, new byte[0]);
            out.write(pax);
            written += pax.length;
            pad(pax.length);
        }
        writeHeader(paxPath ? truncate(path) : name, type, mode, paxSize ? 0 : size, paxLink ? truncate(linkTarget) : link);
    }

    private void writeHeader(byte[] name, char type, int mode, long size, byte[] link) throws IOException {
        Arrays.fill(header, (byte) 0);
        System.arraycopy(name, 0, header, 0, Math.min(name.length, 100));
        octal(mode, 100, 8);
        octal(0, 108, 8);
        octal(0, 116, 8);
        octal(size, 124, 12);
        octal(0, 136, 12);
        header[156] = (byte) type;
        System.arraycopy(link, 0, header, 157, Math.min(link.length, 100));
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        octal(0, 329, 8);
        octal(0, 337, 8);
        Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        System.arraycopy(checksum.getBytes(StandardCharsets.US_ASCII), 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        out.write(header);
        written += BLOCK;
    }

    /** An octal number, zero-padded to {@code length - 1} digits and NUL-terminated, as GNU and Go tar write it. */
    private void octal(long value, int offset, int length) {
        String digits = Long.toOctalString(value);
        int width = length - 1;
        for (int i = 0; i < width; i++) {
            int from = digits.length() - width + i;
            header[offset + i] = (byte) (from < 0 ? '0' : digits.charAt(from));
        }
        header[offset + width] = 0;
    }

    private static String paxRecord(String key, String value) {
        int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    private static boolean isPrintableAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0x20) {
                return false;
            }
        }
        return true;
    }

    private static byte[] truncate(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 100 ? bytes : Arrays.copyOf(bytes, 100);
    }

    private static String lastSegment(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
