package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.audit.Finding.Kind;
import dev.homelab.events.audit.Verifier.DigestFile;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.ReadResult;

/**
 * Checks one node-day of this store's own trail (the part of {@link Verifier} per node-day): its seal record
 * against its digest, every sealed file (live, else in the day's archive) against its seal, and every event file
 * of a closed day for a seal. When the store's seal record is gone and the day's archive carries one, that copy is
 * used; when both exist, the carried one must be the start of the store's.
 *
 * <p>
 * Thread-safety: stateless; node-days are checked in parallel.
 */
final class DayCheck {

    record Result(long checked, List<Finding> findings) {
    }

    private final Verifier.Options o;
    private final AuditLayout layout;
    private final EventFiles files;

    DayCheck(Verifier.Options o, AuditLayout layout, EventFiles files) {
        this.o = o;
        this.layout = layout;
        this.files = files;
    }

    Result check(NodeDay d, DigestFile digest, ArchivedRecords.Carried carried) throws IOException {
        List<Finding> out = new ArrayList<>();
        Path sealsFile = layout.seals(d.date(), d.node());
        String sealsPath = layout.relative(sealsFile);
        SealFile.Contents c;
        try {
            c = SealFile.read(sealsFile);
        } catch (FileSystemException e) {
            out.add(new Finding(sealsPath, "not a regular file (a symlink or special file is in its place)",
                    Kind.SEALS_EDITED));
            c = SealFile.Contents.EMPTY;
        }
        if (carried != null && carried.seals() != null) {
            if (c.length() == 0) {
                c = SealFile.parse(carried.seals());
                out.add(new Finding(sealsPath, "the store's seal record is gone; checked against the copy carried in "
                        + carried.archive(), Kind.ARCHIVED_RECORD));
            } else if (carried.seals().length > c.length()
                    || !Arrays.equals(carried.seals(), 0, carried.seals().length, c.bytes(), 0, carried.seals().length)) {
                out.add(new Finding(sealsPath, "the seal record carried in " + carried.archive() + " ("
                        + carried.seals().length + " bytes) is not the start of the store's (" + c.length()
                        + " bytes): one of them was edited", Kind.SEALS_EDITED));
            }
        }
        boolean closed = digest != null;
        long coveredEnd = Long.MAX_VALUE; // everything counts as covered unless a valid digest says how much
        Digest g = digest == null ? null : digest.digest();
        if (g != null && digest.valid()) {
            coveredEnd = g.sealsBytes();
            checkCoverage(layout.relative(layout.digest(d.date(), d.node())), g, c, sealsPath, out);
        } else if (!closed && !c.lines().isEmpty()) {
            out.add(new Finding(sealsPath, "open day: " + c.lines().size() + " file(s) sealed, no signed digest yet",
                    Kind.OPEN_DAY));
        }
        for (SealFile.Fragment f : c.fragments()) {
            out.add(new Finding(sealsPath, "byte " + f.offset() + ": " + f.length() + " bytes that are not a seal line"
                    + (f.terminated() ? "" : " at the end") + " (a crash during an append)"
                    + (f.pathHint() != null ? " for " + f.pathHint() : "") + "; the file it was for is sealed again "
                    + "by the next sweep", Kind.TORN_LINE));
        }
        Map<String, SealFile.Line> sealed = new LinkedHashMap<>();
        for (SealFile.Line line : c.lines()) {
            SealFile.Line first = sealed.putIfAbsent(line.seal().path(), line);
            if (first != null && !first.seal().sha256().equals(line.seal().sha256())) {
                out.add(new Finding(sealsPath, "byte " + line.offset() + ": " + line.seal().path()
                        + " is sealed a second time with other content", Kind.SEALS_EDITED));
            }
        }
        long checked = checkSealed(d, sealed, coveredEnd, g, sealsPath, out);
        for (String name : AuditLayout.names(layout.root().resolve(d.date()).resolve(d.node()))) {
            String rel = d + "/" + name;
            if (sealed.containsKey(rel) || name.startsWith(".")) {
                continue;
            }
            if (files.readForIndex(Path.of(rel)) instanceof ReadResult.Ok) {
                out.add(closed
                        ? new Finding(rel, "event file in a closed day (closed at " + (g == null ? "?" : g.closedAt())
                                + ") that was never sealed: added afterwards and not seen by the server", Kind.UNSEALED)
                        : new Finding(rel, "not sealed yet (the day is open)", Kind.NOT_SEALED_YET));
            }
        }
        return new Result(checked, out);
    }

    /** Every sealed file, live or else archived, must have its sealed bytes; returns how many were checked. */
    private long checkSealed(NodeDay d, Map<String, SealFile.Line> sealed, long coveredEnd, Digest g, String sealsPath,
            List<Finding> out) throws IOException {
        long checked = 0;
        String prefix = d + "/";
        ZipFile archive = null;
        boolean archiveOpened = false;
        try {
            for (SealFile.Line line : sealed.values()) {
                Seal s = line.seal();
                if (!isFileOf(prefix, s.path())) {
                    out.add(new Finding(sealsPath, "byte " + line.offset() + ": a seal for " + s.path()
                            + ", which is not a file of " + d, Kind.SEALS_EDITED));
                    continue;
                }
                if (line.offset() >= coveredEnd) {
                    out.add(new Finding(s.path(), "late arrival: sealed at " + s.sealedAt() + ", after the day closed at "
                            + g.closedAt() + " (sync or an offline writer); checked against its seal, not in the signed root",
                            Kind.LATE_ARRIVAL));
                }
                byte[] bytes;
                String from = "";
                try {
                    bytes = EventFiles.readAtMost(layout.root().resolve(s.path()), o.fileMaxBytes() + 1);
                } catch (NoSuchFileException gone) {
                    if (!archiveOpened) {
                        archive = ArchivedRecords.open(o.archiveDir(), d.date());
                        archiveOpened = true;
                    }
                    bytes = ArchivedRecords.entry(archive, s.path(), o.fileMaxBytes() + 1);
                    from = "archived copy: ";
                    if (bytes == null) {
                        if (o.expiredBefore() != null && d.day().isBefore(o.expiredBefore())) {
                            out.add(new Finding(s.path(), "sealed, gone with its day's archive (deleted by retention)",
                                    Kind.EXPIRED));
                        } else {
                            out.add(new Finding(s.path(), "sealed at " + s.sealedAt()
                                    + ", now missing: neither in the store nor in an archive", Kind.DELETED));
                        }
                        continue;
                    }
                } catch (FileSystemException notAFile) {
                    out.add(new Finding(s.path(), "sealed as a file, now a symlink or special file", Kind.MODIFIED));
                    continue;
                }
                checked++;
                String now = Hashes.sha256Hex(bytes);
                if (!now.equals(s.sha256())) {
                    out.add(new Finding(s.path(), from + "content differs from its seal (sealed at " + s.sealedAt() + ": "
                            + s.size() + " bytes, sha256 " + s.sha256().substring(0, 16) + "...; now " + bytes.length
                            + " bytes, sha256 " + now.substring(0, 16) + "...)", Kind.MODIFIED));
                }
            }
        } finally {
            if (archive != null) {
                archive.close();
            }
        }
        return checked;
    }

    /**
     * Whether a sealed path is a file of the node-day whose {@code <date>/<node>/} is {@code prefix}: the date and
     * node are the node-day's own, already checked, so only the name is looked at (a split and a grammar check per
     * seal cost about 5 % of a verification).
     */
    static boolean isFileOf(String prefix, String path) {
        return path.length() > prefix.length() && path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0;
    }

    /** The seal lines a valid digest covers must be the ones it was computed from. */
    static void checkCoverage(String digestPath, Digest g, SealFile.Contents c, String sealsPath, List<Finding> out) {
        if (c.length() == 0 && g.sealsBytes() > 0) {
            out.add(new Finding(sealsPath, "the seal record of a closed day was removed (the digest covers "
                    + g.sealsBytes() + " bytes of it)", Kind.SEALS_EDITED));
            return;
        }
        if (c.length() < g.sealsBytes()) {
            out.add(new Finding(sealsPath, "the seal record is shorter (" + c.length() + " bytes) than the "
                    + g.sealsBytes() + " bytes the digest covers: seal lines were removed", Kind.SEALS_EDITED));
            return;
        }
        if (!Hashes.hex(Hashes.sha256(c.bytes(), (int) g.sealsBytes())).equals(g.sealsSha256())) {
            out.add(new Finding(sealsPath, "the first " + g.sealsBytes() + " bytes of the seal record, which the digest "
                    + "covers, were changed", Kind.SEALS_EDITED));
            return;
        }
        List<Seal> leaves = c.leaves(g.sealsBytes());
        List<byte[]> hashes = new ArrayList<>(leaves.size());
        leaves.forEach(s -> hashes.add(s.leafHash()));
        if (leaves.size() != g.count() || !Hashes.hex(Merkle.root(hashes)).equals(g.merkleRoot())) {
            out.add(new Finding(digestPath, "the Merkle root or count (" + g.count() + ") does not match the "
                    + leaves.size() + " seals it covers", Kind.DIGEST_INVALID));
        }
    }
}
