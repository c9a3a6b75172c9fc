package dev.homelab.events.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.Event;
import dev.homelab.events.Names;
import dev.homelab.events.Timestamps;
import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.FileProblem;
import dev.homelab.events.storage.ReadResult;

/**
 * Brings the index in line with the files: adds events that other processes wrote, forgets files that
 * are gone, and keeps the list of entries that are not readable events. The files always win.
 *
 * <p>
 * Work is done per {@code <date>/<node>} directory. Each listed directory leaves a fingerprint (inode and
 * change time, which every added or removed name updates and which rsync or touch cannot set back), so a
 * {@linkplain #reconcileChanged() cheap pass} re-lists only the directories that changed since, and a
 * {@linkplain #reconcile() full pass} re-lists all of them (for file systems that do not keep change times
 * honestly). A fingerprint taken within two seconds of the change time is not trusted ("racy"), since a
 * name added in the same clock tick would not move it. The first full pass reads directories in parallel,
 * newest dates first, and publishes each directory as soon as it is read, so queries are answered while it runs.
 *
 * <p>
 * The classification of entries mirrors {@link EventStore#scan}: dot-prefixed names are temporary or
 * hidden, anything outside {@code <date>/<node>/*.json} is foreign, symlinks are never followed.
 *
 * <p>
 * Thread-safety: passes ({@link #reconcile}, {@link #reconcileChanged}) run one at a time; {@link #indexNew}
 * and {@link #indexFiles} (writers and the watcher) may run at any time, also during a pass.
 */
public class Reconciler {

    static final Pattern DATE_DIR = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    /** A directory changed this close to its listing may have changed again within the same time stamp. */
    static final long RACY_NANOS = 2_000_000_000L;

    /** A problem file is read again only when its size or modification time changes. */
    record Stamp(long size, long modifiedMillis) {
    }

    record KnownProblem(FileProblem problem, Stamp stamp) {
    }

    /** What a directory looked like when it was listed; {@code racy} fingerprints are never trusted. */
    public record Fingerprint(Object inode, long changeNanos, boolean racy) {
    }

    private final EventStore store;
    private final EventIndex index;
    private final int threads;
    private final Map<String, KnownProblem> problems = new ConcurrentHashMap<>();
    private final Map<String, Fingerprint> fingerprints = new ConcurrentHashMap<>();
    private final Object passLock = new Object();
    private volatile Instant lastReconciled;
    private volatile Duration lastDuration = Duration.ZERO;
    private volatile boolean everCompleted;
    private volatile long racyNanos = RACY_NANOS;

    public Reconciler(EventStore store, EventIndex index) {
        this(store, index, Runtime.getRuntime().availableProcessors());
    }

    public Reconciler(EventStore store, EventIndex index, int threads) {
        this.store = store;
        this.index = index;
        this.threads = Math.max(1, threads);
    }

    /** Tests only: how close to a directory's change a listing may be and still be trusted (default two seconds). */
    void racyWindow(java.time.Duration window) {
        racyNanos = window.toNanos();
    }

    public EventIndex index() {
        return index;
    }

    public EventStore store() {
        return store;
    }

    public static IndexEntry entryOf(Event e, String relativePath) {
        return new IndexEntry(e.id(), Timestamps.toMicros(e.timestamp()), e.node(), e.type(), e.severity(), e.source(),
                e.service(), e.correlationId(), relativePath);
    }

    /** Indexes an event this process has just written. */
    public void indexNew(Event e, Path relativePath) {
        index.add(entryOf(e, relativePath.toString()));
    }

    /** A full pass: every directory is listed again, whatever its fingerprint says. */
    public ReconcileReport reconcile() throws IOException {
        return pass(true);
    }

    /** A cheap pass: only directories whose fingerprint changed (or is racy, or new) are listed. */
    public ReconcileReport reconcileChanged() throws IOException {
        return pass(false);
    }

    private ReconcileReport pass(boolean all) throws IOException {
        synchronized (passLock) {
            Instant started = Instant.now();
            Counts counts = new Counts();
            Set<String> topSeen = new HashSet<>();
            List<String[]> nodeDirs = listLayout(topSeen);
            nodeDirs.sort(Comparator.comparing((String[] d) -> d[0]).reversed().thenComparing(d -> d[1]));
            Set<String> listed = new HashSet<>();
            for (String[] d : nodeDirs) {
                listed.add(d[0] + "/" + d[1]);
            }
            runAll(nodeDirs, d -> syncDirectory(d[0], d[1], all, counts));
            // directories that vanished (archived, removed by hand): forget their events and problems
            Set<String> gone = new HashSet<>(index.directories());
            gone.addAll(fingerprints.keySet());
            gone.removeAll(listed);
            for (String dir : gone) {
                String[] parts = dir.split("/", 2);
                if (parts.length == 2 && !Files.isDirectory(store.root().resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
                    List<String> paths = new ArrayList<>();
                    index.entriesIn(parts[0], parts[1]).keySet().forEach(name -> paths.add(dir + "/" + name));
                    counts.removed.addAndGet(index.removePaths(paths));
                    fingerprints.remove(dir);
                    problems.keySet().removeIf(p -> p.startsWith(dir + "/"));
                }
            }
            // problems above the node level that are gone
            problems.keySet().removeIf(p -> p.chars().filter(ch -> ch == '/').count() < 2 && !topSeen.contains(p)
                    && !Files.exists(store.root().resolve(p), LinkOption.NOFOLLOW_LINKS));
            if (all) {
                index.trim();
            }
            lastReconciled = Instant.now();
            lastDuration = Duration.between(started, lastReconciled);
            everCompleted = true;
            return new ReconcileReport(counts.added.get(), counts.removed.get(), problems.size(), lastDuration,
                    counts.listed.get());
        }
    }

    private static final class Counts {
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();
        final AtomicInteger listed = new AtomicInteger();
    }

    private interface DirTask {
        void run(String[] dir) throws IOException;
    }

    private void runAll(List<String[]> dirs, DirTask task) throws IOException {
        if (threads == 1 || dirs.size() < 2) {
            for (String[] d : dirs) {
                task.run(d);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, dirs.size()), r -> {
            Thread t = new Thread(r, "event-index-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String[] d : dirs) {
                futures.add(pool.submit(() -> {
                    task.run(d);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reconciling", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Lists the root and date levels; returns {date, node} pairs and records foreign entries as problems. */
    private List<String[]> listLayout(Set<String> topSeen) throws IOException {
        List<String[]> out = new ArrayList<>();
        Path root = store.root();
        if (!Files.isDirectory(root)) {
            return out;
        }
        for (String date : names(root)) {
            if (date.startsWith(".")) {
                continue; // hidden: the index snapshot, archives in progress, editors
            }
            Path dateDir = root.resolve(date);
            if (!Files.isDirectory(dateDir, LinkOption.NOFOLLOW_LINKS)) {
                topProblem(date, "file outside a <date>/<node> folder", topSeen);
                continue;
            }
            if (!DATE_DIR.matcher(date).matches()) {
                topProblem(date, "not a yyyy-MM-dd date directory", topSeen);
                continue;
            }
            for (String node : names(dateDir)) {
                if (node.startsWith(".")) {
                    continue;
                }
                String rel = date + "/" + node;
                if (!Files.isDirectory(dateDir.resolve(node), LinkOption.NOFOLLOW_LINKS)) {
                    topProblem(rel, "file outside a <date>/<node> folder", topSeen);
                } else if (!Names.isValidNode(node)) {
                    topProblem(rel, "not a valid node directory name", topSeen);
                } else {
                    out.add(new String[]{ date, node });
                }
            }
        }
        return out;
    }

    private void topProblem(String rel, String detail, Set<String> topSeen) {
        topSeen.add(rel);
        problems.computeIfAbsent(rel, k -> new KnownProblem(new FileProblem(rel, FileProblem.Reason.FOREIGN, detail,
                Instant.now()), null));
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException gone) {
            // removed while we looked: nothing to list
        }
        return out;
    }

    /** Re-lists one {@code <date>/<node>} directory when {@code all} is set or its fingerprint changed. */
    void syncDirectory(String date, String node, boolean all, Counts counts) throws IOException {
        String rel = date + "/" + node;
        Path dir = store.root().resolve(date).resolve(node);
        long listedAt = System.currentTimeMillis() * 1_000_000L;
        Fingerprint now = fingerprint(dir, listedAt, racyNanos);
        if (now == null) {
            return;
        }
        Fingerprint known = fingerprints.get(rel);
        if (!all && known != null && !known.racy() && known.inode().equals(now.inode())
                && known.changeNanos() == now.changeNanos()) {
            return;
        }
        counts.listed.incrementAndGet();
        List<String> listing = names(dir);
        Map<String, IndexEntry> indexed = index.entriesIn(date, node);
        Set<String> present = new HashSet<>(listing);
        List<IndexEntry> batch = new ArrayList<>();
        for (String name : listing) {
            if (!indexed.containsKey(name)) {
                examine(rel + "/" + name, name, batch);
            }
        }
        counts.added.addAndGet(addBatch(batch));
        List<String> removed = new ArrayList<>();
        for (String name : indexed.keySet()) {
            // only forget what is really gone: an event written during this pass is indexed but not listed
            if (!present.contains(name) && !Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                removed.add(rel + "/" + name);
            }
        }
        counts.removed.addAndGet(index.removePaths(removed));
        String prefix = rel + "/";
        problems.keySet().removeIf(p -> p.startsWith(prefix) && !present.contains(p.substring(prefix.length()))
                && !Files.exists(store.root().resolve(p), LinkOption.NOFOLLOW_LINKS));
        fingerprints.put(rel, now);
    }

    /** The directory's identity and change time; null if it is gone. */
    static Fingerprint fingerprint(Path dir, long listedAtNanos, long racyNanos) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
            long ctime = ((FileTime) a.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            return new Fingerprint(a.get("ino"), ctime, listedAtNanos - ctime < racyNanos);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // not a Unix file system: never trust a fingerprint, every pass lists everything
            return new Fingerprint(0L, 0L, true);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * Indexes or re-examines individual files (relative paths {@code <date>/<node>/<name>}), for the
     * watcher: new files are read, files that are gone are forgotten. Returns how many events were added.
     */
    public int indexFiles(Collection<String> relativePaths) {
        List<IndexEntry> batch = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (String rel : relativePaths) {
            String[] parts = rel.split("/");
            if (parts.length != 3 || !DATE_DIR.matcher(parts[0]).matches() || !Names.isValidNode(parts[1])) {
                continue;
            }
            if (!Files.exists(store.root().resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                if (index.containsPath(rel)) {
                    gone.add(rel);
                }
                problems.remove(rel); // a writer's temporary file, most of the time
                continue;
            }
            if (!index.containsPath(rel)) {
                examine(rel, parts[2], batch);
            }
        }
        if (!gone.isEmpty()) {
            index.removePaths(gone);
        }
        return addBatch(batch);
    }

    /** Classifies one entry of a node directory; a readable event goes into {@code batch}, anything else is a problem. */
    private void examine(String rel, String name, List<IndexEntry> batch) {
        Path file = store.root().resolve(rel);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // gone since it was listed
        }
        Instant now = Instant.now();
        if (attrs.isDirectory()) {
            if (!name.startsWith(".")) {
                problem(rel, FileProblem.Reason.FOREIGN, "unexpected directory", now, null);
            }
            return;
        }
        if (attrs.isSymbolicLink()) {
            problem(rel, FileProblem.Reason.SYMLINK, "symlinks are never followed", now, null);
            return;
        }
        if (!attrs.isRegularFile()) {
            problem(rel, FileProblem.Reason.NOT_REGULAR_FILE, "not a regular file", now, null);
            return;
        }
        if (name.startsWith(".")) {
            problem(rel, FileProblem.Reason.TEMP_FILE, "dot-prefixed temporary file", now, null);
            return;
        }
        if (!name.endsWith(".json")) {
            problem(rel, FileProblem.Reason.FOREIGN, "not a .json file", now, null);
            return;
        }
        Stamp stamp = new Stamp(attrs.size(), attrs.lastModifiedTime().toMillis());
        KnownProblem known = problems.get(rel);
        if (known != null && stamp.equals(known.stamp())) {
            return;
        }
        ReadResult result = read(file, rel, name, attrs);
        if (result instanceof ReadResult.Ok ok) {
            batch.add(entryOf(ok.event(), rel));
        } else {
            ReadResult.Skipped s = (ReadResult.Skipped) result;
            problems.put(rel, new KnownProblem(new FileProblem(rel, s.reason(), s.detail(), now), stamp));
        }
    }

    /**
     * What {@link EventStore#read} does, minus the second stat (the entry was just classified) and with a
     * faster file-name parse: the first scan of a large store spends most of its time here.
     */
    private ReadResult read(Path file, String rel, String name, BasicFileAttributes attrs) {
        if (attrs.size() > store.fileMaxBytes()) {
            return new ReadResult.Skipped(FileProblem.Reason.OVERSIZED, "larger than " + store.fileMaxBytes() + " bytes");
        }
        byte[] bytes = new byte[(int) attrs.size()];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read until full or end of file
            }
            if (buf.hasRemaining() || ch.read(ByteBuffer.allocate(1)) > 0) {
                return store.read(Path.of(rel)); // changed size while being read (not an immutable event file?)
            }
        } catch (IOException e) {
            return store.read(Path.of(rel)); // let the store classify it (gone, symlink swapped in, unreadable)
        }
        return store.codec().fromBytes(bytes, rel, fileName(name));
    }

    private static final Pattern NAME = Pattern.compile(
            "(\\d{8}T\\d{6}\\.\\d{6}Z)_([a-z][a-z0-9_]{0,63})_"
                    + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.json");

    /**
     * {@link EventFileName#parse} without a DateTimeFormatter for the common case (several microseconds a
     * file); any value a formatter might resolve differently (days past the 28th, hour 24...) goes to it.
     */
    static Optional<EventFileName> fileName(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        String t = m.group(1);
        int y = digits(t, 0, 4);
        int mo = digits(t, 4, 2);
        int d = digits(t, 6, 2);
        int h = digits(t, 9, 2);
        int mi = digits(t, 11, 2);
        int sec = digits(t, 13, 2);
        int micros = digits(t, 16, 6);
        if (mo < 1 || mo > 12 || d < 1 || d > 28 || h > 23 || mi > 59 || sec > 59) {
            return EventFileName.parse(name);
        }
        try {
            Instant at = java.time.LocalDateTime.of(y, mo, d, h, mi, sec, micros * 1000).toInstant(java.time.ZoneOffset.UTC);
            return Optional.of(new EventFileName(at, m.group(2), java.util.UUID.fromString(m.group(3))));
        } catch (RuntimeException e) {
            return EventFileName.parse(name);
        }
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

    private void problem(String rel, FileProblem.Reason reason, String detail, Instant now, Stamp stamp) {
        problems.computeIfAbsent(rel, k -> new KnownProblem(new FileProblem(rel, reason, detail, now), stamp));
    }

    private int addBatch(List<IndexEntry> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<EventIndex.Duplicate> duplicates = index.addAll(batch);
        Instant now = Instant.now();
        Set<String> dup = new HashSet<>();
        for (EventIndex.Duplicate d : duplicates) {
            String rel = d.rejected().relativePath();
            dup.add(rel);
            Stamp stamp = stampOf(rel);
            problems.put(rel,
                    new KnownProblem(Duplicates.problem(store, rel, d.original().relativePath(), d.rejected().id(), now),
                            stamp));
        }
        for (IndexEntry e : batch) {
            if (!dup.contains(e.relativePath())) {
                problems.remove(e.relativePath());
            }
        }
        return batch.size() - duplicates.size();
    }

    private Stamp stampOf(String rel) {
        try {
            BasicFileAttributes a = Files.readAttributes(store.root().resolve(rel), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return new Stamp(a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return null;
        }
    }

    public List<FileProblem> problems() {
        return problems.values().stream().map(KnownProblem::problem)
                .sorted((a, b) -> a.path().compareTo(b.path())).toList();
    }

    /** When the last pass (cheap or full) finished, or null before the first. */
    public Instant lastReconciled() {
        return lastReconciled;
    }

    public Duration lastDuration() {
        return lastDuration;
    }

    /** True once a pass over the whole tree has completed (or a snapshot was loaded and validated). */
    public boolean everCompleted() {
        return everCompleted;
    }

    // ---------------------------------------------------------------- snapshot support

    Map<String, Fingerprint> fingerprints() {
        return Map.copyOf(fingerprints);
    }

    Map<String, KnownProblem> knownProblems() {
        return Map.copyOf(problems);
    }

    /** Restores what a snapshot recorded; the next {@link #reconcileChanged()} validates it against the disk. */
    void restore(Map<String, Fingerprint> prints, Map<String, KnownProblem> known) {
        fingerprints.putAll(prints);
        known.forEach(problems::putIfAbsent);
    }

    public record ReconcileReport(int added, int removed, int problems, Duration took, int directoriesListed) {
        public ReconcileReport(int added, int removed, int problems, Duration took) {
            this(added, removed, problems, took, 0);
        }
    }
}
