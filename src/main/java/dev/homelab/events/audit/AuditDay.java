package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import dev.homelab.events.storage.EventFiles;

/**
 * A closed node-day's audit record as a sync peer fetches it ({@code GET /api/audit/days/{date}/{node}}): the
 * digest file's text and the seal record's bytes (base64), so the receiver checks the files it imports against
 * the signed root ({@link PeerDigests}, docs/audit.md).
 */
public record AuditDay(String node, String date, String digest, String seals) {

    /** The record of a node-day of this store; empty while the day has no digest (open). */
    static Optional<AuditDay> read(AuditLayout layout, String date, String node) throws IOException {
        Path digest = layout.digest(date, node);
        if (!Files.isRegularFile(digest, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            byte[] d = EventFiles.readAtMost(digest, 1 << 20);
            byte[] s = EventFiles.readAtMost(layout.seals(date, node), SealFile.MAX_BYTES);
            return Optional.of(new AuditDay(node, date, new String(d, StandardCharsets.UTF_8),
                    Base64.getEncoder().encodeToString(s)));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }
}
