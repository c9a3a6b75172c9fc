package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.homelab.events.audit.AuditLayout.NodeDay;
import dev.homelab.events.audit.Finding.Kind;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventFiles;

/**
 * Checks a store against its audit trail, with nothing but the files and the public keys: the server uses it for
 * {@code GET /api/audit/verify} and the {@code verify_audit_trail} tool, {@link VerifyMain} on a copy of the store
 * with the server down. What it checks, per node-day and per node's chain, is listed in docs/audit.md; every
 * finding is a {@link Finding}, a problem (tampering) or a notice. This class reads the digests and checks each
 * node's chain; {@link DayCheck} checks each node-day's seals and files, {@link PeerRecordsCheck} the records kept
 * from sync peers. A day that lives in its archive is checked against the records the archive carries
 * ({@link ArchivedRecords}) when the store's are gone.
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
     * before {@code expiredBefore} may be missing because retention deleted their archive; {@code peerPins} is the
     * directory of the sync peers' pinned keys ({@link PeerKeyPins}), null when not at hand.
     */
    record Options(Path root, Path archiveDir, List<PublicKey> trustedKeys, LocalDate since, LocalDate until, String node,
            Map<String, ChainHead> anchors, LocalDate expiredBefore, long fileMaxBytes, int threads, Path peerPins) {

        Options(Path root, Path archiveDir, List<PublicKey> trustedKeys, LocalDate since, LocalDate until, String node,
                Map<String, ChainHead> anchors, LocalDate expiredBefore, long fileMaxBytes, int threads) {
            this(root, archiveDir, trustedKeys, since, until, node, anchors, expiredBefore, fileMaxBytes, threads, null);
        }
    }

    /** A digest as read, the store's or, when that is gone, the one its day's archive carries. */
    record DigestFile(NodeDay day, String path, byte[] bytes, Digest digest, boolean valid) {
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
        // only the archives of the range: a finding about a digest outside it is not reported anyway
        ArchivedRecords.All carried = ArchivedRecords.read(o.archiveDir(), this::inRange);
        Map<String, PublicKey> keys = trustedKeys(carried, found);
        Map<NodeDay, DigestFile> digests = new TreeMap<>();
        TreeSet<NodeDay> all = new TreeSet<>(layout.nodeDays());
        all.addAll(carried.days().keySet());
        List<NodeDay> days = new ArrayList<>();
        for (NodeDay d : all) {
            if ((o.node() == null || o.node().equals(d.node())) && inRange(d.date())) {
                days.add(d);
            }
        }
        TreeSet<NodeDay> recorded = new TreeSet<>(layout.recorded());
        recorded.addAll(carried.days().keySet());
        DayCheck dayCheck = new DayCheck(o, layout, files);
        long checked = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, o.threads()), r -> {
            Thread t = new Thread(r, "audit-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            // every digest of the nodes concerned (the chain needs them all), its signature checked in parallel
            Map<NodeDay, Future<DigestFile>> reading = new TreeMap<>();
            for (NodeDay d : recorded) {
                if (o.node() == null || o.node().equals(d.node())) {
                    ArchivedRecords.Carried c = carried.days().get(d);
                    reading.put(d, pool.submit(() -> readDigest(d, c, keys, found)));
                }
            }
            for (Map.Entry<NodeDay, Future<DigestFile>> e : reading.entrySet()) {
                DigestFile f = e.getValue().get();
                if (f != null) {
                    digests.put(e.getKey(), f);
                }
            }
            checkChains(digests, found);
            List<Future<DayCheck.Result>> results = new ArrayList<>();
            for (NodeDay d : days) {
                DigestFile digest = digests.get(d);
                ArchivedRecords.Carried c = carried.days().get(d);
                results.add(pool.submit(() -> dayCheck.check(d, digest, c)));
            }
            for (Future<DayCheck.Result> f : results) {
                DayCheck.Result r = f.get();
                checked += r.checked();
                found.addAll(r.findings());
            }
            new PeerRecordsCheck(o, layout, this::inRange).check(found);
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

    private Map<String, PublicKey> trustedKeys(ArchivedRecords.All carried, List<Finding> found) throws IOException {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        if (!o.trustedKeys().isEmpty()) {
            o.trustedKeys().forEach(k -> keys.put(AuditKeys.keyId(k), k));
            return keys;
        }
        for (String name : AuditLayout.names(layout.keys())) {
            if (AuditLayout.nameOf(name, AuditLayout.PUB) == null) {
                continue;
            }
            try {
                PublicKey k = AuditKeys.parsePublicKey(new String(EventFiles.readAtMost(layout.keys().resolve(name), 64 * 1024),
                        StandardCharsets.US_ASCII));
                keys.put(AuditKeys.keyId(k), k);
            } catch (IllegalArgumentException | FileSystemException e) {
                found.add(new Finding(AuditLayout.DIR + "/keys/" + name, "not a readable Ed25519 public key, ignored: "
                        + e.getMessage(), Kind.KEYS_FROM_STORE));
            }
        }
        carried.keys().forEach(keys::putIfAbsent);
        found.add(new Finding(AuditLayout.DIR + "/keys", "no public key was given: digests were checked against the "
                + keys.size()
                + " key(s) found in the store itself (and its archives), which whoever can write the store can replace; "
                + "give the public key kept elsewhere (--public-key) to rule that out", Kind.KEYS_FROM_STORE));
        return keys;
    }

    private DigestFile readDigest(NodeDay d, ArchivedRecords.Carried carried, Map<String, PublicKey> keys,
            List<Finding> found) throws IOException {
        Path file = layout.digest(d.date(), d.node());
        String path = layout.relative(file);
        byte[] bytes;
        try {
            bytes = EventFiles.readAtMost(file, 1 << 20);
            if (carried != null && carried.digest() != null && !Arrays.equals(bytes, carried.digest())) {
                found.add(new Finding(path, "differs from the digest carried in " + carried.archive() + ": one of them "
                        + "was replaced", Kind.DIGEST_INVALID));
            }
        } catch (NoSuchFileException e) {
            if (carried == null || carried.digest() == null) {
                return null;
            }
            bytes = carried.digest(); // the store's digest is gone; the archive carries it (checked like it)
            found.add(new Finding(path, "the store's digest is gone; checked against the copy carried in "
                    + carried.archive(), Kind.ARCHIVED_RECORD));
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
                String where = layout.relative(layout.digest(anchored.date(), node));
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
        String where = layout.relative(layout.digest(date, node));
        boolean dayGone = !Files.exists(layout.root().resolve(date).resolve(node), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(layout.seals(date, node), LinkOption.NOFOLLOW_LINKS);
        found.add(new Finding(where, (dayGone
                ? "day " + date + " of " + node + " was removed from the middle of the chain"
                : "digest #" + seq + " was removed from the middle of the chain") + " (digest #" + (seq + 1) + " of "
                + next.day().date() + " links to it)", Kind.DIGEST_MISSING));
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
        return EventFileName.isDateDirectory(first) ? first : null;
    }
}
