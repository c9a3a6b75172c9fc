package dev.homelab.events.index;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

import dev.homelab.events.Severity;
import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;
import dev.homelab.events.storage.FileProblem;

/**
 * A persisted copy of the index, so that a restart does not read a million files again. It is a derived
 * cache: safe to delete, never trusted blindly. It records, per {@code <date>/<node>} directory, the
 * fingerprint (inode, change time) under which that directory was listed; on load every directory whose
 * fingerprint differs, is racy, or is new is listed again, and directories that are gone are dropped.
 *
 * <p>
 * Format, version 1 (big-endian, {@link DataOutputStream} encoding): magic {@code HLIX}, version, the
 * store root, the creation time; a string table; the fingerprints; the known problem files; the rows
 * (id, time, string-table references for node, type, source, service, correlation id or -1 for "the
 * event's own id", path or -1 for "the path the grammar derives"); then the row count again and a CRC-32
 * of everything before it. A file that fails any check is ignored (and rebuilt by the next save).
 */
public final class IndexSnapshot {

    static final int MAGIC = 0x484c4958; // "HLIX"
    static final int VERSION = 1;
    public static final String FILE_NAME = "snapshot-v" + VERSION + ".bin";

    private IndexSnapshot() {
    }

    /** What a load restored. */
    public record Loaded(int rows, int directories, Instant createdAt) {
    }

    /** Writes the snapshot atomically (temp file, then rename); the previous one stays valid until the rename. */
    public static int save(Path file, Reconciler reconciler) throws IOException {
        EventIndex index = reconciler.index();
        // fingerprints first: every row they vouch for is already in the index, so the rows written below cover them
        Map<String, DirectoryFingerprints.Fingerprint> prints = reconciler.fingerprints();
        Map<String, ProblemRegistry.KnownProblem> problems = reconciler.knownProblems();
        Files.createDirectories(file.getParent());
        Path temp = DurableFiles.tempFor(file);
        Map<String, Integer> strings = new HashMap<>();
        List<String> table = new ArrayList<>();
        // rows are buffered as string-table references, then written after the table
        ByteArrayOutputStream rowBytes = new ByteArrayOutputStream(1 << 20);
        DataOutputStream rows = new DataOutputStream(rowBytes);
        int n = index.exportRows((hi, lo, micros, node, type, sev, source, service, cid, path) -> {
            rows.writeLong(hi);
            rows.writeLong(lo);
            rows.writeLong(micros);
            rows.writeInt(ref(strings, table, node));
            rows.writeInt(ref(strings, table, type));
            rows.writeByte(sev);
            rows.writeInt(ref(strings, table, source));
            rows.writeInt(ref(strings, table, service));
            rows.writeInt(cid == null ? -1 : ref(strings, table, cid));
            rows.writeInt(path == null ? -1 : ref(strings, table, path));
        });
        rows.flush();
        try {
            CRC32 crc = new CRC32();
            try (OutputStream raw = Files.newOutputStream(temp);
                    CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
                    DataOutputStream out = new DataOutputStream(checked)) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                writeString(out, reconciler.store().root().toString());
                out.writeLong(System.currentTimeMillis());
                out.writeInt(table.size());
                for (String s : table) {
                    writeString(out, s);
                }
                out.writeInt(prints.size());
                for (Map.Entry<String, DirectoryFingerprints.Fingerprint> p : prints.entrySet()) {
                    DirectoryFingerprints.Fingerprint f = p.getValue();
                    writeString(out, p.getKey());
                    boolean numeric = f.inode() instanceof Long;
                    out.writeLong(numeric ? (Long) f.inode() : 0L);
                    out.writeLong(f.changeNanos());
                    out.writeBoolean(f.racy() || !numeric);
                }
                out.writeInt(problems.size());
                for (ProblemRegistry.KnownProblem k : problems.values()) {
                    FileProblem fp = k.problem();
                    writeString(out, fp.path());
                    writeString(out, fp.reason().name());
                    writeString(out, fp.detail());
                    out.writeLong(fp.seenAt().toEpochMilli());
                    out.writeBoolean(k.stamp() != null);
                    out.writeLong(k.stamp() == null ? 0 : k.stamp().size());
                    out.writeLong(k.stamp() == null ? 0 : k.stamp().modifiedMillis());
                }
                out.writeInt(n);
                rowBytes.writeTo(out);
                out.writeInt(n);
                out.flush();
                out.writeLong(crc.getValue());
            }
            // not forced: the snapshot is a cache, and a torn one fails its checksum and is rebuilt
            DurableFiles.renameOver(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
        return n;
    }

    private static int ref(Map<String, Integer> strings, List<String> table, String s) {
        Integer id = strings.get(s);
        if (id == null) {
            id = table.size();
            strings.put(s, id);
            table.add(s);
        }
        return id;
    }

    /** UTF-8 with an int length: writeUTF would refuse strings longer than 65,535 bytes. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** Bytes of one row: id, time, node, type, severity, source, service, correlation id, path. */
    static final int ROW_BYTES = 8 + 8 + 8 + 4 + 4 + 1 + 4 + 4 + 4 + 4;

    /** A string-table reference; -1 allowed where it means "none". */
    private static int ref(ByteBuffer in, int size, boolean optional) {
        int r = in.getInt();
        if (r >= size || r < (optional ? -1 : 0)) {
            throw new IllegalArgumentException("corrupt snapshot: string reference " + r);
        }
        return r;
    }

    private static String readString(ByteBuffer in) {
        int len = in.getInt();
        if (len < 0 || len > in.remaining()) {
            throw new IllegalArgumentException("corrupt snapshot: string length " + len);
        }
        String s = new String(in.array(), in.position(), len, StandardCharsets.UTF_8);
        in.position(in.position() + len);
        return s;
    }

    /**
     * Loads a snapshot into an empty index and its reconciler, which must then run
     * {@link Reconciler#reconcileChanged()} to validate it against the directories. Returns null (and
     * loads nothing) when there is no usable snapshot: missing, another version, another root, or damaged.
     *
     * @throws java.nio.file.FileSystemException when something other than a regular file is at {@code file}
     */
    public static Loaded load(Path file, Reconciler reconciler) throws IOException {
        if (reconciler.index().size() != 0) {
            throw new IllegalStateException("a snapshot is loaded into an empty index only");
        }
        String[] table;
        int n;
        long[] hi;
        long[] lo;
        long[] ts;
        int[] node;
        int[] type;
        byte[] sev;
        int[] source;
        int[] service;
        int[] cid;
        int[] path;
        Map<String, DirectoryFingerprints.Fingerprint> prints = new HashMap<>();
        Map<String, ProblemRegistry.KnownProblem> problems = new HashMap<>();
        Instant created;
        byte[] all;
        try {
            // only a regular file is opened: a FIFO or device put at this path must not hang the start
            all = EventFiles.readAtMost(file, Integer.MAX_VALUE);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (all.length < 16) {
            return null;
        }
        // one checksum over the whole file (fast), then plain buffer reads (no per-field stream calls)
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        ByteBuffer in = ByteBuffer.wrap(all);
        if (in.getLong(all.length - 8) != crc.getValue()) {
            return null;
        }
        try {
            if (in.getInt() != MAGIC || in.getInt() != VERSION) {
                return null;
            }
            if (!readString(in).equals(reconciler.store().root().toString())) {
                return null; // a snapshot of another store (copied along with the files): not ours to trust
            }
            created = Instant.ofEpochMilli(in.getLong());
            String[] strings = new String[in.getInt()];
            for (int i = 0; i < strings.length; i++) {
                strings[i] = readString(in);
            }
            int dirs = in.getInt();
            for (int i = 0; i < dirs; i++) {
                String rel = readString(in);
                long ino = in.getLong();
                long change = in.getLong();
                boolean racy = in.get() != 0;
                prints.put(rel, new DirectoryFingerprints.Fingerprint(ino, change, racy));
            }
            int known = in.getInt();
            for (int i = 0; i < known; i++) {
                String problemPath = readString(in);
                FileProblem.Reason reason = FileProblem.Reason.valueOf(readString(in));
                String detail = readString(in);
                Instant seen = Instant.ofEpochMilli(in.getLong());
                boolean stamped = in.get() != 0;
                long size = in.getLong();
                long modified = in.getLong();
                problems.put(problemPath, new ProblemRegistry.KnownProblem(new FileProblem(problemPath, reason, detail, seen),
                        stamped ? new ProblemRegistry.Stamp(size, modified) : null));
            }
            n = in.getInt();
            if (n < 0 || (long) n * ROW_BYTES > in.remaining()) {
                return null;
            }
            table = strings;
            hi = new long[n];
            lo = new long[n];
            ts = new long[n];
            node = new int[n];
            type = new int[n];
            sev = new byte[n];
            source = new int[n];
            service = new int[n];
            cid = new int[n];
            path = new int[n];
            int severities = Severity.values().length; // values() copies its array: not once per row
            for (int i = 0; i < n; i++) {
                hi[i] = in.getLong();
                lo[i] = in.getLong();
                ts[i] = in.getLong();
                node[i] = ref(in, strings.length, false);
                type[i] = ref(in, strings.length, false);
                sev[i] = in.get();
                if (sev[i] < 0 || sev[i] >= severities) {
                    return null;
                }
                source[i] = ref(in, strings.length, false);
                service[i] = ref(in, strings.length, false);
                cid[i] = ref(in, strings.length, true);
                path[i] = ref(in, strings.length, true);
            }
            if (in.getInt() != n || in.position() != all.length - 8) {
                return null;
            }
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return null; // truncated or damaged: rebuilt from the files
        }
        if (!reconciler.index().loadSorted(table, n, hi, lo, ts, node, type, sev, source, service, cid, path)) {
            return null;
        }
        reconciler.restore(prints, problems);
        return new Loaded(n, prints.size(), created);
    }
}
