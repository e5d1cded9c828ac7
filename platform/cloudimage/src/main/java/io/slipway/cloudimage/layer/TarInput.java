package io.slipway.cloudimage.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens tar streams whatever their compression (none, gzip, bzip2, xz), told apart by their first bytes. */
public final class TarInput {

    private TarInput() {
    }

    public static TarArchiveInputStream open(InputStream raw) throws IOException {
        return new TarArchiveInputStream(decompressed(raw), LayerWriter.BUFFER / 16);
    }

    /** True when the file is a tar archive, compressed or not (what ADD unpacks). */
    static boolean isTar(Path file) throws IOException {
        try (InputStream in = decompressed(Files.newInputStream(file))) {
            byte[] header = in.readNBytes(TarStream.BLOCK);
            return header.length == TarStream.BLOCK && header[257] == 'u' && header[258] == 's' && header[259] == 't'
                    && header[260] == 'a' && header[261] == 'r';
        } catch (IOException e) {
            return false;
        }
    }

    static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, LayerWriter.BUFFER);
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, LayerWriter.BUFFER / 16);
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return new BZip2CompressorInputStream(in, true);
        }
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z' && magic[5] == 0) {
            return new XZCompressorInputStream(in, true);
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            throw new IOException("zstd-compressed layers are not supported");
        }
        return in;
    }
}
