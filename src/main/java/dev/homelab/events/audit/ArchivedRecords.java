package dev.homelab.events.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.storage.EventFileName;

/**
 * The audit records a day's archive carries ({@code <archive dir>/<date>.zip}, entries {@code .audit/<date>/<node>.digest},
 * {@code .seals} and {@code .audit/keys/<signer>.pub}, written by the archiver through {@link ArchiveGuard}), and
 * reading event files back from an archive. The verifier falls back on a carried record when the store's own is
 * gone, and compares the two when both exist.
 */
final class ArchivedRecords {

    /** A node-day's record as its archive carries it; {@code digest} or {@code seals} null when not carried. */
    record Carried(String archive, byte[] digest, byte[] seals) {
    }

    /** Every record carried by the archives in {@code archiveDir}, and the public keys they carry, by key id. */
    record All(Map<NodeDay, Carried> days, Map<String, PublicKey> keys) {

        static final All NONE = new All(Map.of(), Map.of());
    }

    private ArchivedRecords() {
    }

    /**
     * The records carried by the archives of the dates {@code wanted} accepts; other archives are not opened, so
     * verifying one day (the archiver does, per day) does not read every archive.
     */
    static All read(Path archiveDir, Predicate<String> wanted) throws IOException {
        if (archiveDir == null) {
            return All.NONE;
        }
        Map<NodeDay, Carried> days = new TreeMap<>();
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (String name : AuditLayout.names(archiveDir)) {
            String date = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : null;
            if (date == null || !EventFileName.isDateDirectory(date)) {
                continue;
            }
            if (!wanted.test(date)) {
                continue;
            }
            try (ZipFile zip = open(archiveDir, date)) {
                if (zip != null) {
                    readOne(zip, archiveDir.getFileName() + "/" + name, date, days, keys);
                }
            }
        }
        return new All(days, keys);
    }

    private static void readOne(ZipFile zip, String label, String date, Map<NodeDay, Carried> days,
            Map<String, PublicKey> keys) throws IOException {
        String dayPrefix = AuditLayout.DIR + "/" + date + "/";
        String keyPrefix = AuditLayout.DIR + "/keys/";
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
            ZipEntry e = en.nextElement();
            String n = e.getName();
            if (n.startsWith(keyPrefix) && AuditLayout.nameOf(n.substring(keyPrefix.length()), AuditLayout.PUB) != null) {
                try {
                    PublicKey k = AuditKeys.parsePublicKey(new String(entry(zip, n, 64 * 1024), StandardCharsets.US_ASCII));
                    keys.put(AuditKeys.keyId(k), k);
                } catch (IllegalArgumentException ignored) {
                    // not a key: a carried digest signed by it then finds no key and is reported
                }
                continue;
            }
            if (!n.startsWith(dayPrefix)) {
                continue;
            }
            String file = n.substring(dayPrefix.length());
            AuditLayout.DayFile f = AuditLayout.dayFile(file);
            if (f == null) {
                continue;
            }
            boolean digest = f.digest();
            byte[] bytes = entry(zip, n, digest ? 1 << 20 : SealFile.MAX_BYTES);
            days.merge(new NodeDay(date, f.node()), digest ? new Carried(label, bytes, null) : new Carried(label, null, bytes),
                    (a, b) -> new Carried(label, a.digest() != null ? a.digest() : b.digest(),
                            a.seals() != null ? a.seals() : b.seals()));
        }
    }

    /** The archive of a day, null when there is none or it cannot be opened (its files are then reported missing). */
    static ZipFile open(Path archiveDir, String date) {
        if (archiveDir == null) {
            return null;
        }
        Path zip = archiveDir.resolve(date + ".zip");
        if (!Files.isRegularFile(zip, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return new ZipFile(zip.toFile());
        } catch (IOException e) {
            return null; // a damaged archive holds nothing we can vouch for
        }
    }

    /** The bytes of an entry (at most {@code max}), null when the archive is null or lacks it. */
    static byte[] entry(ZipFile zip, String path, long max) throws IOException {
        if (zip == null) {
            return null;
        }
        ZipEntry e = zip.getEntry(path);
        if (e == null || e.isDirectory()) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, max));
        }
    }
}
