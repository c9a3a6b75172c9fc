package dev.homelab.events.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.homelab.events.config.SecurityConfig;

/**
 * The configured bearer token, held only as its SHA-256 digest. Comparing digests with
 * {@link MessageDigest#isEqual} takes the same time whatever the presented token is, including its length,
 * so timing reveals nothing. The token itself is never logged, never echoed, never put in an exception.
 */
public final class BearerToken {

    private static final Logger LOG = Logger.getLogger(BearerToken.class);

    /** Tokens shorter than this are accepted but warned about: they can be guessed. */
    static final int RECOMMENDED_MIN_LENGTH = 16;

    /** Result of checking an Authorization header. */
    public enum Check {
        /** No Authorization header, or not a Bearer one. */
        MISSING,
        /** A bearer token that is not the configured one. */
        WRONG,
        VALID
    }

    private final byte[] digest;
    private final String origin;

    private BearerToken(byte[] digest, String origin) {
        this.digest = digest;
        this.origin = origin;
    }

    /** No token configured: writes need no authentication (allowed only on loopback). */
    public static BearerToken none() {
        return new BearerToken(null, "none");
    }

    /** From HOMELAB_EVENTS_TOKEN or HOMELAB_EVENTS_TOKEN_FILE; a misconfiguration fails with a message saying what to fix. */
    public static BearerToken load(SecurityConfig config) {
        Optional<String> inline = config.token().filter(t -> !t.isBlank());
        Optional<Path> file = config.tokenFile().filter(p -> !p.toString().isBlank());
        if (inline.isPresent() && file.isPresent()) {
            throw new IllegalStateException("Both HOMELAB_EVENTS_TOKEN (homelab.security.token) and HOMELAB_EVENTS_TOKEN_FILE "
                    + "(homelab.security.token-file) are set; set only one of them");
        }
        if (inline.isPresent()) {
            return of(inline.get().strip(), "HOMELAB_EVENTS_TOKEN");
        }
        if (file.isPresent()) {
            return of(readFile(file.get()), "token file " + file.get());
        }
        return none();
    }

    static BearerToken of(String token, String origin) {
        if (token.isEmpty()) {
            throw new IllegalStateException("The bearer token from " + origin + " is empty; put a long random secret there, "
                    + "e.g. the output of: openssl rand -hex 32");
        }
        if (token.chars().anyMatch(c -> c <= 0x20 || c == 0x7F)) {
            throw new IllegalStateException("The bearer token from " + origin + " contains spaces or control characters; "
                    + "use printable characters only, e.g. the output of: openssl rand -hex 32");
        }
        if (token.length() < RECOMMENDED_MIN_LENGTH) {
            LOG.warnf("The bearer token from %s is shorter than %d characters and could be guessed; "
                    + "prefer the output of: openssl rand -hex 32", origin, RECOMMENDED_MIN_LENGTH);
        }
        return new BearerToken(sha256(token), origin);
    }

    private static String readFile(Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8).strip();
            warnIfReadableByOthers(file);
            return content;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read the bearer token file " + file + " (HOMELAB_EVENTS_TOKEN_FILE): "
                    + e.getClass().getSimpleName() + "; make it readable by this user, e.g. chmod 600 " + file, e);
        }
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warnf("The bearer token file %s is readable by every user; chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    public boolean configured() {
        return digest != null;
    }

    /** Where the token came from, for log lines; never the token. */
    public String origin() {
        return origin;
    }

    /** Checks an {@code Authorization} header value ({@code Bearer <token>}, scheme case-insensitive). */
    public Check check(String authorization) {
        if (authorization == null) {
            return Check.MISSING;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Check.MISSING;
        }
        String presented = value.substring(7).strip();
        if (digest == null) {
            return Check.WRONG;
        }
        // equal-length digests: the comparison's time does not depend on the presented token
        return MessageDigest.isEqual(digest, sha256(presented)) ? Check.VALID : Check.WRONG;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return configured() ? "BearerToken[from " + origin + "]" : "BearerToken[none]";
    }
}
