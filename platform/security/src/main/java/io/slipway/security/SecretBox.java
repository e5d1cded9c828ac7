package io.slipway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals text at rest with AES-256-GCM under a key kept in a file of 32 random bytes (made 0600 on first use, beside
 * the service's data, never in its database): a sealed value is {@code sealed:v1:<base64 of nonce + ciphertext>}, and
 * the {@code purpose} is bound to it, so a value sealed for one column does not open as another. Text that is not
 * sealed opens as itself: rows written before sealing stay readable and are sealed when next written.
 */
public final class SecretBox {
    private static final String PREFIX = "sealed:v1:";
    private static final int NONCE = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The box whose key is in {@code file}, made (0600, 32 random bytes) when it does not exist yet. */
    public static SecretBox keyFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                try {
                    Files.write(file, fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (FileAlreadyExistsException raced) {
                    // another instance made it first: use theirs
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException("the sealing key " + file + " must hold 32 bytes, it holds " + key.length);
            }
            Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new IllegalStateException("the sealing key " + file + " is readable by others: chmod 600 it");
            }
            return new SecretBox(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sealing key " + file + ": " + e.getMessage(), e);
        }
    }

    public static boolean isSealed(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    public String seal(String plain, String purpose) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a value: " + e.getMessage(), e);
        }
    }

    /**
     * A keyed digest of {@code text} (HMAC-SHA256, hex, under a key derived from the box's key and {@code purpose}): the
     * same text always has the same digest under the same key, so a changed document can be told from an unchanged one,
     * but unlike a plain hash it cannot be used to test guesses of the secrets a text holds by anyone without the key.
     */
    public String digest(String text, String purpose) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            byte[] digestKey = derive.doFinal(("digest:" + purpose).getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(digestKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot digest a value: " + e.getMessage(), e);
        }
    }

    public String open(String stored, String purpose) {
        if (!isSealed(stored)) {
            return stored;
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE));
            c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed " + purpose + " does not open with this key (was the key file replaced?)", e);
        }
    }
}
