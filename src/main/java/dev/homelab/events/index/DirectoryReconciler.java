package dev.homelab.events.index;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.homelab.events.storage.EventFileName;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.FileProblem;
import dev.homelab.events.storage.ReadResult;

/**
 * Brings the index in line with one {@code <date>/<node>} directory, or with single files the watcher saw:
 * what {@link EventFiles} reads as an event is indexed, everything else is recorded as a problem, and indexed
 * files that are gone are forgotten. One bad file never stops the others: whatever goes wrong with a file
 * becomes that file's problem.
 *
 * <p>
 * Thread-safety: directories may be reconciled in parallel (each task touches its own directory's entries);
 * {@link #indexFiles} may run at the same time.
 */
final class DirectoryReconciler {

    /** What one pass did, added up over its directory tasks. */
    static final class Counts {
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();
        final AtomicInteger listed = new AtomicInteger();
    }

    private final EventFiles files;
    private final Path root;
    private final EventIndex index;
    private final ProblemRegistry problems;
    private final DirectoryFingerprints fingerprints;
    private final List<EventFileListener> listeners = new CopyOnWriteArrayList<>();

    DirectoryReconciler(EventFiles files, EventIndex index, ProblemRegistry problems, DirectoryFingerprints fingerprints) {
        this.files = files;
        this.root = files.root();
        this.index = index;
        this.problems = problems;
        this.fingerprints = fingerprints;
    }

    void addListener(EventFileListener listener) {
        listeners.add(listener);
    }

    /** Re-lists one {@code <date>/<node>} directory when {@code all} is set or its fingerprint moved. */
    void syncDirectory(String date, String node, boolean all, Counts counts) throws IOException {
        String rel = date + "/" + node;
        Path dir = root.resolve(date).resolve(node);
        DirectoryFingerprints.Fingerprint now = fingerprints.take(dir);
        if (now == null) {
            return;
        }
        DirectoryFingerprints.Fingerprint known = fingerprints.get(rel);
        if (!all && known != null && known.vouchesFor(now)) {
            return;
        }
        counts.listed.incrementAndGet();
        String[] listing = list(dir);
        // the index's names of this directory; each listed one is taken out, so what is left was not listed
        Set<String> unlisted = index.namesIn(date, node);
        List<IndexEntry> batch = new ArrayList<>();
        EventFiles.Folder folder = null;
        try {
            for (String name : listing) {
                if (!unlisted.remove(name)) {
                    if (folder == null) {
                        folder = files.openFolder(Path.of(date, node));
                    }
                    examine(folder, rel + "/" + name, batch);
                }
            }
        } finally {
            if (folder != null) {
                folder.close();
            }
        }
        counts.added.addAndGet(addBatch(batch));
        List<String> removed = new ArrayList<>();
        for (String name : unlisted) {
            // only forget what is really gone: an event written during this pass is indexed but not listed
            if (!Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                removed.add(rel + "/" + name);
            }
        }
        counts.removed.addAndGet(index.removePaths(removed));
        String prefix = rel + "/";
        Set<String> present = new HashSet<>();
        problems.removeIf(p -> p.startsWith(prefix) && !listed(present, listing).contains(p.substring(prefix.length()))
                && !Files.exists(root.resolve(p), LinkOption.NOFOLLOW_LINKS));
        problems.remove(rel); // listed: if it could not be before, it can now
        fingerprints.put(rel, now);
    }

    /** {@code present} filled with {@code listing} the first time it is asked for (most directories have no problem file). */
    private static Set<String> listed(Set<String> present, String[] listing) {
        if (present.isEmpty() && listing.length > 0) {
            present.addAll(Arrays.asList(listing));
        }
        return present;
    }

    /**
     * The names in a directory, as {@link #names} but without a {@code Path} per entry ({@code File.list} hands out the
     * names themselves); where it cannot say why it failed, {@link #names} answers or throws.
     */
    private static String[] list(Path dir) throws IOException {
        String[] names = dir.toFile().list();
        return names != null ? names : names(dir).toArray(new String[0]);
    }

    /** The names in a directory; empty if it was removed meanwhile. */
    static List<String> names(Path dir) throws IOException {
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

    /**
     * Indexes or re-examines individual files (relative paths {@code <date>/<node>/<name>}), for the
     * watcher: new files are read, files that are gone are forgotten. Returns how many events were added.
     */
    int indexFiles(Collection<String> relativePaths) {
        List<IndexEntry> batch = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (String rel : relativePaths) {
            if (rel.startsWith(".", rel.lastIndexOf('/') + 1) && !problems.known(rel)) {
                // a dot name is never an event (the watcher hands on only its removal, for the problems list): a
                // temp file nobody reported needs no stat (half of what the watcher hands on for each own write)
                continue;
            }
            String[] parts = rel.split("/");
            if (parts.length != 3 || !EventFileName.isDateDirectory(parts[0]) || !EventFileName.isNodeDirectory(parts[1])
                    || index.beingWritten(rel)) {
                continue; // not of the layout, or this process's own write, which its writer indexes
            }
            if (!Files.exists(root.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                if (index.containsPath(rel)) {
                    gone.add(rel);
                }
                problems.remove(rel); // a writer's temporary file, most of the time
                continue;
            }
            if (!index.containsPath(rel)) {
                examine(files.byPath(Path.of(rel).getParent()), rel, batch);
            }
        }
        if (!gone.isEmpty()) {
            index.removePaths(gone);
        }
        return addBatch(batch);
    }

    /**
     * Classifies and reads one entry of a node directory: an event goes into {@code batch}, anything else is a problem.
     * {@code folder} is the entry's directory ({@link EventFiles#openFolder}).
     */
    private void examine(EventFiles.Folder folder, String rel, List<IndexEntry> batch) {
        Path relative = Path.of(rel);
        BasicFileAttributes attrs;
        try {
            attrs = folder.attributes(relative);
        } catch (IOException e) {
            return; // gone since it was listed
        }
        ProblemRegistry.Stamp stamp = new ProblemRegistry.Stamp(attrs.size(), attrs.lastModifiedTime().toMillis());
        try {
            EventFiles.Entry entry = files.classify(relative, attrs);
            if (entry instanceof EventFiles.Entry.Problem p) {
                problems.note(rel, p.reason(), p.detail());
            } else if (entry instanceof EventFiles.Entry.Candidate c && !problems.unchanged(rel, stamp)) {
                // no payload tree: rows never hold one
                ReadResult result = folder.readForIndex(c);
                if (result instanceof ReadResult.Ok ok) {
                    batch.add(Reconciler.entryOf(ok.event(), rel));
                    for (EventFileListener l : listeners) {
                        l.eventFileSeen(rel, ok.event(), ok.bytes());
                    }
                } else {
                    ReadResult.Skipped s = (ReadResult.Skipped) result;
                    problems.put(rel, new FileProblem(rel, s.reason(), s.detail(), Instant.now()), stamp);
                }
            }
        } catch (RuntimeException e) {
            // a file the rules did not foresee: it is that file's problem, never the pass's
            problems.put(rel, new FileProblem(rel, FileProblem.Reason.UNREADABLE, "cannot be indexed: " + e, Instant.now()),
                    stamp);
        }
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
            problems.put(rel, Duplicates.problem(files, rel, d.original().relativePath(), d.rejected().id(), now),
                    ProblemRegistry.Stamp.of(root.resolve(rel)));
        }
        for (IndexEntry e : batch) {
            if (!dup.contains(e.relativePath())) {
                problems.remove(e.relativePath());
            }
        }
        return batch.size() - duplicates.size();
    }
}
