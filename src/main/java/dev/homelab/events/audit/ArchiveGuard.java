package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import dev.homelab.events.ConflictException;
import dev.homelab.events.archive.DayArchiver;
import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.storage.EventFiles;

/**
 * The audit trail's part in archiving a day and restoring it (docs/audit.md, "Across nodes").
 *
 * <ul>
 * <li>Before the archiver writes a day's archive and removes its live files, the day is verified: the archiver then
 * checks that the archive holds the very bytes that are live, so a clean verification of the live day means the
 * archive holds what was sealed and signed. With any problem nothing is written or removed and the day stays live,
 * so a changed file is never laundered into an archive: a {@link ConflictException} on {@code date} (REST answers
 * 409; a retention run lists it among its errors and goes on with the next day).</li>
 * <li>The archive carries the day's seal records and digests ({@code .audit/<date>/<node>.seals}, {@code .digest})
 * and the public keys that signed them ({@code .audit/keys/<signer>.pub}), so the day verifies from its archive
 * alone ({@link ArchivedRecords}).</li>
 * <li>Before a restore writes anything, every file of the archive must match its seal in the records the archive
 * carries (the store's own when it carries none), and those records must verify with this node's key and agree
 * with the store's. Otherwise the restore is refused, naming the file, and nothing changes.</li>
 * </ul>
 */
final class ArchiveGuard implements DayArchiver.RemovalGuard {

    /** Verifies one UTC day, every node. */
    interface DayVerifier {
        AuditReport verify(LocalDate day) throws IOException;
    }

    private final DayVerifier verifier;
    private final AuditLayout layout;
    private final Supplier<List<PublicKey>> trusted;

    ArchiveGuard(DayVerifier verifier, AuditLayout layout, Supplier<List<PublicKey>> trusted) {
        this.verifier = verifier;
        this.layout = layout;
        this.trusted = trusted;
    }

    @Override
    public void beforeRemoval(LocalDate day) throws IOException {
        AuditReport r = verifier.verify(day);
        if (!r.ok()) {
            Finding first = r.problems().get(0);
            throw new ConflictException("date", day.toString(), "is not archived: its audit trail reports "
                    + r.problems().size() + " problem(s), the first: " + first.path() + ": " + first.reason()
                    + "; the day stays live until someone looks (GET /api/audit/verify?since=" + day + "&until=" + day
                    + ")");
        }
    }

    @Override
    public DayArchiver.AuditRecords auditRecords(LocalDate day) throws IOException {
        String date = day.toString();
        Map<String, byte[]> out = new TreeMap<>();
        TreeSet<String> keyIds = new TreeSet<>();
        for (String name : AuditLayout.names(layout.dayDir(date))) {
            AuditLayout.DayFile f = AuditLayout.dayFile(name);
            if (f == null) {
                continue;
            }
            Path file = layout.dayDir(date).resolve(name);
            try {
                byte[] bytes = EventFiles.readAtMost(file, SealFile.MAX_BYTES);
                out.put(layout.relative(file), bytes);
                if (f.digest()) {
                    keyIds.add(Digest.parse(bytes).keyId());
                }
            } catch (NoSuchFileException | IllegalArgumentException e) {
                // gone meanwhile, or unreadable: the verification before this reported it
            }
        }
        for (String name : AuditLayout.names(layout.keys())) {
            if (AuditLayout.nameOf(name, AuditLayout.PUB) == null) {
                continue;
            }
            Path file = layout.keys().resolve(name);
            try {
                byte[] bytes = EventFiles.readAtMost(file, 64 * 1024);
                if (keyIds.contains(AuditKeys.keyId(AuditKeys.parsePublicKey(new String(bytes, StandardCharsets.US_ASCII))))) {
                    out.put(layout.relative(file), bytes);
                }
            } catch (FileSystemException | IllegalArgumentException e) {
                // not a key: not carried
            }
        }
        return new DayArchiver.AuditRecords(List.copyOf(keyIds), out);
    }

    @Override
    public void beforeRestore(LocalDate day, Path archiveFile, DayArchiver.Archive archive) throws IOException {
        String date = day.toString();
        TreeSet<String> nodes = new TreeSet<>();
        for (String path : archive.files().keySet()) {
            NodeDay d = NodeDay.ofPath(path);
            if (d != null && d.date().equals(date)) {
                nodes.add(d.node());
            }
        }
        List<String> problems = new ArrayList<>();
        for (String node : nodes) {
            checkNodeDay(new NodeDay(date, node), archive, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConflictException("date", date, "is not restored: " + archiveFile + " does not match the audit "
                    + "trail, " + problems.size() + " problem(s), the first: " + problems.get(0) + ". Nothing was "
                    + "restored; the archive stays as it is");
        }
    }

    private void checkNodeDay(NodeDay d, DayArchiver.Archive archive, List<String> problems) throws IOException {
        Path digestFile = layout.digest(d.date(), d.node());
        Path sealsFile = layout.seals(d.date(), d.node());
        String digestPath = layout.relative(digestFile);
        String sealsPath = layout.relative(sealsFile);
        byte[] carriedDigest = archive.audit().get(digestPath);
        byte[] carriedSeals = archive.audit().get(sealsPath);
        byte[] liveDigest = readIfThere(digestFile, 1 << 20);
        byte[] liveSeals = readIfThere(sealsFile, SealFile.MAX_BYTES);
        if (carriedDigest != null && liveDigest != null && !Arrays.equals(carriedDigest, liveDigest)) {
            problems.add("the digest it carries for " + d + " differs from the store's " + digestPath);
            return;
        }
        if (carriedSeals != null && liveSeals != null && (carriedSeals.length > liveSeals.length
                || !Arrays.equals(carriedSeals, 0, carriedSeals.length, liveSeals, 0, carriedSeals.length))) {
            problems.add("the seal record it carries for " + d + " is not the start of the store's " + sealsPath);
            return;
        }
        byte[] digestBytes = carriedDigest != null ? carriedDigest : liveDigest;
        // the store's record when it is there (the carried one is its start, checked above): events that reached
        // the archived day later were sealed after the archive was made, and the day's digest may cover them
        byte[] sealBytes = liveSeals != null ? liveSeals : carriedSeals;
        if (digestBytes == null && sealBytes == null) {
            return; // never sealed (archived before the audit trail): nothing to check against
        }
        SealFile.Contents c = SealFile.parse(sealBytes == null ? new byte[0] : sealBytes);
        Digest g = null;
        if (digestBytes != null) {
            try {
                g = Digest.parse(digestBytes);
            } catch (IllegalArgumentException e) {
                problems.add("the digest of " + d + " cannot be read (" + e.getMessage() + ")");
                return;
            }
            PublicKey key = null;
            for (PublicKey k : trusted.get()) {
                if (AuditKeys.keyId(k).equals(g.keyId())) {
                    key = k;
                }
            }
            if (key == null || !AuditKeys.verify(key, g.signedBytes(), g.signature())) {
                problems.add("the digest of " + d + " does not verify with this node's key (key id "
                        + Verifier.shortId(g.keyId()) + " signed it, or it was changed after signing)");
                return;
            }
            List<Finding> coverage = new ArrayList<>();
            DayCheck.checkCoverage(digestPath, g, c, sealsPath, coverage);
            if (!coverage.isEmpty()) {
                problems.add(coverage.get(0).path() + ": " + coverage.get(0).reason());
                return;
            }
        }
        Map<String, String> sealed = new HashMap<>();
        for (SealFile.Line line : c.lines()) {
            sealed.putIfAbsent(line.seal().path(), line.seal().sha256());
        }
        for (Map.Entry<String, byte[]> e : archive.files().entrySet()) {
            if (!d.equals(NodeDay.ofPath(e.getKey()))) {
                continue;
            }
            String expected = sealed.get(e.getKey());
            String now = Hashes.sha256Hex(e.getValue());
            if (expected == null) {
                if (g != null) {
                    problems.add(e.getKey() + " is not in the seal record of the closed day " + d
                            + ": added to the archive afterwards");
                }
            } else if (!expected.equals(now)) {
                problems.add(e.getKey() + " differs from its seal (sealed sha256 " + expected.substring(0, 16)
                        + "..., in the archive " + now.substring(0, 16) + "...): changed after it was sealed");
            }
        }
    }

    private static byte[] readIfThere(Path file, long max) throws IOException {
        try {
            return EventFiles.readAtMost(file, max);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }
}
