package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing key: created once with mode 0600 in a 0700 directory, read back the same, never replaced. */
class AuditKeysTest {

    @TempDir
    Path dir;

    @Test
    void createdOnFirstUseWithOwnerOnlyModesAndReloadedIdentically() throws IOException {
        Path file = dir.resolve("conf").resolve("homelab-events").resolve("audit-ed25519.key");
        AuditKeys first = AuditKeys.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertFalse(AuditKeys.tooOpen(file));
        String text = Files.readString(file);
        assertTrue(text.startsWith("-----BEGIN PRIVATE KEY-----\n") && text.contains("-----BEGIN PUBLIC KEY-----"), text);

        AuditKeys again = AuditKeys.loadOrCreate(file);
        assertEquals(first.keyId(), again.keyId());
        assertEquals(text, Files.readString(file), "never rewritten");
        byte[] msg = "m".getBytes(StandardCharsets.UTF_8);
        assertTrue(AuditKeys.verify(first.publicKey(), msg, again.sign(msg)));
        assertFalse(AuditKeys.verify(first.publicKey(), "n".getBytes(StandardCharsets.UTF_8), again.sign(msg)));
        assertEquals(first.keyId(), AuditKeys.keyId(AuditKeys.parsePublicKey(first.publicKeyPem())));
    }

    @Test
    void aLooseModeIsNoticedAndAMismatchedPairIsRefused() throws IOException {
        Path file = dir.resolve("a.key");
        AuditKeys.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(AuditKeys.tooOpen(file));

        Path other = dir.resolve("b.key");
        AuditKeys.loadOrCreate(other);
        String a = Files.readString(file);
        String b = Files.readString(other);
        Files.writeString(dir.resolve("mixed.key"), a.substring(0, a.indexOf("-----BEGIN PUBLIC KEY-----"))
                + b.substring(b.indexOf("-----BEGIN PUBLIC KEY-----")));
        IOException e = assertThrows(IOException.class, () -> AuditKeys.load(dir.resolve("mixed.key")));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void theDefaultKeyFileIsUnderTheUsersConfigDirectory() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/home/u/.config/homelab-events/audit-ed25519.key"),
                AuditService.keyFile(Optional.empty(), Map.of(), home));
        assertEquals(Path.of("/x/homelab-events/audit-ed25519.key"),
                AuditService.keyFile(Optional.empty(), Map.of("XDG_CONFIG_HOME", "/x"), home));
        assertEquals(Path.of("/k/my.key"), AuditService.keyFile(Optional.of("/k/my.key"), Map.of(), home));
    }
}
