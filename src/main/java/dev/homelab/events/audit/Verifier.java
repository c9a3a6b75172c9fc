package dev.homelab.events.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.audit.Finding.Kind;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.ReadResult;

/**
 * Checks a store against its audit trail, with nothing but the files and the public keys: the server uses it for
 * {@code GET /api/audit/verify} and the {@code verify_audit_trail} tool, {@link VerifyMain} on a copy of the store
 * with the server down. What it checks, per node-day and per node's chain, is listed in docs/audit.md; every
 * finding is a {@link Finding}, a problem (tampering) or a notice.
 *
 * <p>
 * The cost is one read and one SHA-256 per sealed file, one directory listing per node-day and a parse of the
 * seal records; event files are parsed only when they are not sealed. Node-days are checked in parallel.
 *
 * <p>
 * Thread-safety: stateless; each {@link #verify} call works on its own.
 */
final class Verifier {

    /**
     * What to verify and against what: {@code trustedKeys} empty means the keys found in the store's
     * {@code .audit/keys}; {@code since}, {@code until} (inclusive) and {@code node} restrict the node-days,
     * null for all; {@code anchors} are the chain heads the server remembers (none offline); files of days
     * before {@code expiredBefore} may be missing because retention deleted their archive.
     */
    record Options(Path root, Path archiveDir, List<PublicKey> trustedKeys, LocalDate since, LocalDate until, String node,
            Map<String, ChainHead> anchors, LocalDate expiredBefore, long fileMaxBytes, int threads) {
    }

    private record DigestFile(NodeDay day, String path, byte[] bytes, Digest digest, boolean valid) {
    }

    private record DayResult(long checked, List<Finding> findings) {
    }

    private final Options o;
    private final AuditLayout layout;
    private final EventFiles files;

    Verifier(Options options, EventFiles files) {
        this.o = options;
        this.layout = new AuditLayout(options.root());
        this.files = files;
    }

    AuditReport verify() throws IOException {
        List<Finding> found = Collections.synchronizedList(new ArrayList<>());
        Map<String, PublicKey> keys = trustedKeys(found);
        Map<NodeDay, DigestFile> digests = new TreeMap<>();
        List<NodeDay> days = new ArrayList<>();
        for (NodeDay d : layout.nodeDays()) {
            if ((o.node() == null || o.node().equals(d.node())) && inRange(d.date())) {
                days.add(d);
            }
        }
        long checked = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, o.threads()), r -> {
            Thread t = new Thread(r, "audit-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            // every digest of the nodes concerned (the chain needs them all), its signature checked in parallel
            Map<NodeDay, Future<DigestFile>> reading = new TreeMap<>();
            for (NodeDay d : layout.recorded()) {
                if (o.node() == null || o.node().equals(d.node())) {
                    reading.put(d, pool.submit(() -> readDigest(d, keys, found)));
                }
            }
            for (Map.Entry<NodeDay, Future<DigestFile>> e : reading.entrySet()) {
                DigestFile f = e.getValue().get();
                if (f != null) {
                    digests.put(e.getKey(), f);
                }
            }
            checkChains(digests, found);
            List<Future<DayResult>> results = new ArrayList<>();
            for (NodeDay d : days) {
                DigestFile digest = digests.get(d);
                results.add(pool.submit(() -> checkDay(d, digest)));
            }
            for (Future<DayResult> f : results) {
                DayResult r = f.get();
                checked += r.checked();
                found.addAll(r.findings());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("verification interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("verification failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<Finding> problems = new ArrayList<>();
        List<Finding> notices = new ArrayList<>();
        for (Finding f : found) {
            if (!inRange(dateOf(f.path()))) {
                continue;
            }
            (f.kind().problem() ? problems : notices).add(f);
        }
        problems.sort(Finding.ORDER);
        notices.sort(Finding.ORDER);
        int digestCount = (int) digests.keySet().stream().filter(d -> inRange(d.date())).count();
        return new AuditReport(problems.isEmpty(), checked, List.copyOf(problems), List.copyOf(notices), days.size(),
                digestCount);
    }

    // ------------------------------------------------------------------------------------------- keys and digests

    private Map<String, PublicKey> trustedKeys(List<Finding> found) throws IOException {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        if (!o.trustedKeys().isEmpty()) {
            o.trustedKeys().forEach(k -> keys.put(AuditKeys.keyId(k), k));
            return keys;
        }
        for (String name : AuditLayout.names(layout.keys())) {
            if (!name.endsWith(".pub") || name.startsWith(".")) {
                continue;
            }
            try {
                PublicKey k = AuditKeys.parsePublicKey(new String(EventFiles.readAtMost(layout.keys().resolve(name), 64 * 1024),
                        java.nio.charset.StandardCharsets.US_ASCII));
                keys.put(AuditKeys.keyId(k), k);
            } catch (IllegalArgumentException | FileSystemException e) {
                found.add(new Finding(AuditLayout.DIR + "/keys/" + name, "not a readable Ed25519 public key, ignored: "
                        + e.getMessage(), Kind.KEYS_FROM_STORE));
            }
        }
        found.add(new Finding(AuditLayout.DIR + "/keys", "no public key was given: digests were checked against the "
                + keys.size() + " key(s) found in the store itself, which whoever can write the store can replace; "
                + "give the public key kept elsewhere (--public-key) to rule that out", Kind.KEYS_FROM_STORE));
        return keys;
    }

    private DigestFile readDigest(NodeDay d, Map<String, PublicKey> keys, List<Finding> found) throws IOException {
        Path file = layout.digest(d.date(), d.node());
        String path = layout.relative(file);
        byte[] bytes;
        try {
            bytes = EventFiles.readAtMost(file, 1 << 20);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            found.add(new Finding(path, "not a regular file (a symlink or special file is in its place)", Kind.DIGEST_INVALID));
            return new DigestFile(d, path, new byte[0], null, false);
        }
        Digest g;
        try {
            g = Digest.parse(bytes);
        } catch (IllegalArgumentException e) {
            found.add(new Finding(path, "unreadable digest (" + e.getMessage() + "): edited or damaged", Kind.DIGEST_INVALID));
            return new DigestFile(d, path, bytes, null, false);
        }
        if (!g.node().equals(d.node()) || !g.date().equals(d.date())) {
            found.add(new Finding(path, "this is the digest of " + g.date() + "/" + g.node() + ", copied or moved here",
                    Kind.DIGEST_INVALID));
            return new DigestFile(d, path, bytes, g, false);
        }
        PublicKey key = keys.get(g.keyId());
        if (key == null) {
            found.add(new Finding(path, "signed by another key (key id " + shortId(g.keyId()) + "), not by "
                    + (keys.isEmpty()
                            ? "any trusted key"
                            : "the trusted key " + String.join(", ",
                                    keys.keySet().stream().map(Verifier::shortId).toList())),
                    Kind.WRONG_KEY));
            return new DigestFile(d, path, bytes, g, false);
        }
        if (!AuditKeys.verify(key, g.signedBytes(), g.signature())) {
            found.add(new Finding(path, "the signature does not verify: the digest was changed after it was signed",
                    Kind.DIGEST_INVALID));
            return new DigestFile(d, path, bytes, g, false);
        }
        return new DigestFile(d, path, bytes, g, true);
    }

    static String shortId(String keyId) {
        return keyId.length() > 16 ? keyId.substring(0, 16) : keyId;
    }

    /**
     * Each node's digests, by sequence, must run 1, 2, 3... with each naming its predecessor's date and the SHA-256
     * of its predecessor's file. A gap is a digest removed from the middle (often with its whole day); a link
     * that does not match is a predecessor replaced after it was chained to.
     */
    private void checkChains(Map<NodeDay, DigestFile> digests, List<Finding> found) {
        Map<String, TreeMap<Long, List<DigestFile>>> byNode = new TreeMap<>();
        for (DigestFile f : digests.values()) {
            if (f.digest() != null) {
                byNode.computeIfAbsent(f.day().node(), n -> new TreeMap<>())
                        .computeIfAbsent(f.digest().sequence(), s -> new ArrayList<>()).add(f);
            }
        }
        for (Map.Entry<String, TreeMap<Long, List<DigestFile>>> e : byNode.entrySet()) {
            String node = e.getKey();
            TreeMap<Long, List<DigestFile>> chain = e.getValue();
            for (Map.Entry<Long, List<DigestFile>> s : chain.entrySet()) {
                if (s.getValue().size() > 1) {
                    for (DigestFile f : s.getValue()) {
                        found.add(new Finding(f.path(), s.getValue().size() + " digests of " + node + " claim sequence "
                                + s.getKey() + ": "
                                + String.join(", ", s.getValue().stream().map(x -> x.day().date()).toList()),
                                Kind.CHAIN_BROKEN));
                    }
                }
                DigestFile f = s.getValue().get(0);
                Digest g = f.digest();
                long seq = s.getKey();
                if (seq == 1) {
                    if (g.previousSha256() != null) {
                        found.add(new Finding(f.path(), "digest #1 names a predecessor (" + g.previousDate() + ")",
                                Kind.CHAIN_BROKEN));
                    }
                    continue;
                }
                if (g.previousSha256() == null || g.previousDate() == null) {
                    found.add(new Finding(f.path(), "digest #" + seq + " names no predecessor", Kind.CHAIN_BROKEN));
                    continue;
                }
                List<DigestFile> before = chain.get(seq - 1);
                if (before == null) {
                    missing(node, seq - 1, g.previousDate(), f, found);
                    continue;
                }
                DigestFile p = before.get(0);
                if (!p.day().date().equals(g.previousDate())
                        || !Hashes.sha256Hex(p.bytes()).equals(g.previousSha256())) {
                    found.add(new Finding(p.path(), "digest #" + (seq - 1) + " is not the one digest #" + seq + " ("
                            + f.day().date() + ") chained to (" + g.previousDate() + ", sha256 "
                            + g.previousSha256().substring(0, 16) + "...): it was replaced or changed", Kind.CHAIN_BROKEN));
                }
            }
            ChainHead anchored = o.anchors() == null ? null : o.anchors().get(node);
            if (anchored != null) {
                List<DigestFile> atAnchor = chain.get(anchored.sequence());
                String where = AuditLayout.DIR + "/" + anchored.date() + "/" + node + AuditLayout.DIGEST;
                if (atAnchor == null) {
                    if (chain.isEmpty() || chain.lastKey() < anchored.sequence()) {
                        found.add(new Finding(where, "digest #" + anchored.sequence() + " of " + anchored.date()
                                + ", the newest this server wrote, is missing: digests were removed from the head of "
                                + "the chain", Kind.DIGEST_MISSING));
                    }
                } else if (!Hashes.sha256Hex(atAnchor.get(0).bytes()).equals(anchored.sha256())) {
                    found.add(new Finding(atAnchor.get(0).path(), "digest #" + anchored.sequence()
                            + " is not the one this server wrote (" + anchored.date() + "): it was replaced",
                            Kind.CHAIN_BROKEN));
                }
            }
        }
    }

    private void missing(String node, long seq, String date, DigestFile next, List<Finding> found) {
        String where = AuditLayout.DIR + "/" + date + "/" + node + AuditLayout.DIGEST;
        boolean dayGone = !Files.exists(layout.root().resolve(date).resolve(node), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(layout.seals(date, node), LinkOption.NOFOLLOW_LINKS);
        found.add(new Finding(where, (dayGone
                ? "day " + date + " of " + node + " was removed from the middle of the chain"
                : "digest #" + seq + " was removed from the middle of the chain") + " (digest #" + (seq + 1) + " of "
                + next.day().date() + " links to it)", Kind.DIGEST_MISSING));
    }

    // ------------------------------------------------------------------------------------------- one node-day

    private DayResult checkDay(NodeDay d, DigestFile digest) throws IOException {
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
        boolean closed = digest != null;
        long coveredEnd = Long.MAX_VALUE; // everything counts as covered unless a valid digest says how much
        Digest g = digest == null ? null : digest.digest();
        if (g != null && digest.valid()) {
            coveredEnd = g.sealsBytes();
            checkCoverage(d, g, c, sealsPath, out);
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
        long checked = 0;
        ZipFile archive = null;
        boolean archiveOpened = false;
        try {
            for (SealFile.Line line : sealed.values()) {
                Seal s = line.seal();
                if (!s.path().startsWith(d + "/") || NodeDay.ofPath(s.path()) == null) {
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
                        archive = openArchive(d.date());
                        archiveOpened = true;
                    }
                    bytes = archived(archive, s.path());
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
        for (String name : AuditLayout.names(layout.root().resolve(d.date()).resolve(d.node()))) {
            String rel = d + "/" + name;
            if (sealed.containsKey(rel) || name.startsWith(".")) {
                continue;
            }
            if (files.read(Path.of(rel)) instanceof ReadResult.Ok) {
                out.add(closed
                        ? new Finding(rel, "event file in a closed day (closed at " + (g == null ? "?" : g.closedAt())
                                + ") that was never sealed: added afterwards and not seen by the server", Kind.UNSEALED)
                        : new Finding(rel, "not sealed yet (the day is open)", Kind.NOT_SEALED_YET));
            }
        }
        return new DayResult(checked, out);
    }

    /** The seal lines a valid digest covers must be the ones it was computed from. */
    private void checkCoverage(NodeDay d, Digest g, SealFile.Contents c, String sealsPath, List<Finding> out) {
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
            out.add(new Finding(layout.relative(layout.digest(d.date(), d.node())), "the Merkle root or count ("
                    + g.count() + ") does not match the " + leaves.size() + " seals it covers", Kind.DIGEST_INVALID));
        }
    }

    private ZipFile openArchive(String date) {
        if (o.archiveDir() == null) {
            return null;
        }
        Path zip = o.archiveDir().resolve(date + ".zip");
        if (!Files.isRegularFile(zip, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return new ZipFile(zip.toFile());
        } catch (IOException e) {
            return null; // a damaged archive holds nothing we can vouch for: its files are reported missing
        }
    }

    private byte[] archived(ZipFile zip, String path) throws IOException {
        if (zip == null) {
            return null;
        }
        ZipEntry e = zip.getEntry(path);
        if (e == null || e.isDirectory()) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, o.fileMaxBytes() + 1));
        }
    }

    // ------------------------------------------------------------------------------------------- range

    private boolean inRange(String date) {
        if (date == null) {
            return true;
        }
        LocalDate day = LocalDate.parse(date);
        return (o.since() == null || !day.isBefore(o.since())) && (o.until() == null || !day.isAfter(o.until()));
    }

    /** The date a finding's path belongs to ({@code <date>/...} or {@code .audit/<date>/...}), null for none. */
    private static String dateOf(String path) {
        String p = path.startsWith(AuditLayout.DIR + "/") ? path.substring(AuditLayout.DIR.length() + 1) : path;
        int slash = p.indexOf('/');
        String first = slash < 0 ? p : p.substring(0, slash);
        return dev.homelab.events.storage.EventFileName.isDateDirectory(first) ? first : null;
    }
}
