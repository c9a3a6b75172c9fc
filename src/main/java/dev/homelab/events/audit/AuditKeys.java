package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;

/**
 * A node's Ed25519 signing key (the JDK's own, no extra dependency). The private key lives in one file outside
 * the event store, created with mode 0600 on first start, in PEM: the PKCS#8 private key, then the X.509 public
 * key (OpenSSL reads it: {@code openssl pkey -in audit-ed25519.key -pubout}). The key id is the hex SHA-256 of
 * the public key's X.509 encoding.
 *
 * <p>
 * Thread-safety: immutable; {@link #sign} makes a new {@link Signature} per call.
 */
final class AuditKeys {

    static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private AuditKeys(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    String keyId() {
        return keyId(publicKey);
    }

    static String keyId(PublicKey key) {
        return Hashes.sha256Hex(key.getEncoded());
    }

    String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    String sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(message);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** True when {@code signatureBase64} is {@code key}'s signature of {@code message}; false for any malformed input. */
    static boolean verify(PublicKey key, byte[] message, String signatureBase64) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Loads the key file, or creates it (and its directory, mode 0700) when it does not exist. */
    static AuditKeys loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                create(file);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use that one
            }
        }
        return load(file);
    }

    static AuditKeys load(Path file) throws IOException {
        String text = new String(EventFiles.readAtMost(file, 16 * 1024), StandardCharsets.US_ASCII);
        byte[] priv = null;
        byte[] pub = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (m.group(1).equals("PRIVATE KEY")) {
                priv = der;
            } else if (m.group(1).equals("PUBLIC KEY")) {
                pub = der;
            }
        }
        if (priv == null || pub == null) {
            throw new IOException("audit key file " + file + " does not hold a PRIVATE KEY and a PUBLIC KEY in PEM");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance(ALGORITHM);
            AuditKeys keys = new AuditKeys(kf.generatePrivate(new PKCS8EncodedKeySpec(priv)),
                    kf.generatePublic(new X509EncodedKeySpec(pub)));
            // the two halves must belong together, or every digest would fail to verify
            if (!verify(keys.publicKey, new byte[]{ 1 }, keys.sign(new byte[]{ 1 }))) {
                throw new IOException("audit key file " + file + ": the public key does not match the private key");
            }
            return keys;
        } catch (GeneralSecurityException e) {
            throw new IOException("audit key file " + file + " does not hold an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** True when the key file can be read or written by others than its owner (mode beyond 0600). */
    static boolean tooOpen(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        return perms.stream().anyMatch(p -> p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE);
    }

    /** Generates a key pair and writes it with mode 0600: temp file, force, link (never replaces a key), force dir. */
    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519", e);
        }
        byte[] text = (pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded()))
                .getBytes(StandardCharsets.US_ASCII);
        Path temp = DurableFiles.tempFor(file);
        try {
            try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            DurableFiles.linkNew(temp, file); // COMMIT POINT: a key is never replaced
        } finally {
            Files.deleteIfExists(temp);
        }
        DurableFiles.forceDirectory(dir);
    }

    /**
     * Writes the public key into the store ({@code .audit/keys/<signer>.pub}) unless it is there already.
     * Returns true when another key was there (and is replaced).
     */
    boolean publish(AuditLayout layout, String signer) throws IOException {
        Path pub = layout.publicKey(signer);
        byte[] pem = publicKeyPem().getBytes(StandardCharsets.US_ASCII);
        boolean replaced = false;
        if (Files.exists(pub, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (Arrays.equals(EventFiles.readAtMost(pub, 64 * 1024), pem)) {
                    return false;
                }
            } catch (IOException e) {
                // not a readable file: replaced below
            }
            replaced = true;
        }
        DurableFiles.replace(pub, pem);
        return replaced;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{ '\n' }).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Reads the first PUBLIC KEY of a PEM text (a .pub file, or a key file). */
    static PublicKey parsePublicKey(String pemText) {
        Matcher m = PEM.matcher(pemText);
        while (m.find()) {
            if (m.group(1).equals("PUBLIC KEY")) {
                try {
                    return KeyFactory.getInstance(ALGORITHM)
                            .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(2))));
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block");
    }
}
