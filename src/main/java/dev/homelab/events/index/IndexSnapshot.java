package dev.homelab.events.index;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import dev.homelab.events.Severity;
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
        Map<String, Reconciler.Fingerprint> prints = reconciler.fingerprints();
        Map<String, Reconciler.KnownProblem> problems = reconciler.knownProblems();
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Map<String, Integer> strings = new HashMap<>();
        List<String> table = new ArrayList<>();
        // rows are buffered as string-table references, then written after the table
        java.io.ByteArrayOutputStream rowBytes = new java.io.ByteArrayOutputStream(1 << 20);
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
                out.writeUTF(reconciler.store().root().toString());
                out.writeLong(System.currentTimeMillis());
                out.writeInt(table.size());
                for (String s : table) {
                    writeString(out, s);
                }
                out.writeInt(prints.size());
                for (Map.Entry<String, Reconciler.Fingerprint> p : prints.entrySet()) {
                    Reconciler.Fingerprint f = p.getValue();
                    writeString(out, p.getKey());
                    boolean numeric = f.inode() instanceof Long;
                    out.writeLong(numeric ? (Long) f.inode() : 0L);
                    out.writeLong(f.changeNanos());
                    out.writeBoolean(f.racy() || !numeric);
                }
                out.writeInt(problems.size());
                for (Reconciler.KnownProblem k : problems.values()) {
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
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 1 << 20) {
            throw new IOException("corrupt snapshot: string length " + len);
        }
        return new String(in.readNBytes(len), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Loads a snapshot into an empty index and its reconciler, which must then run
     * {@link Reconciler#reconcileChanged()} to validate it against the directories. Returns null (and
     * loads nothing) when there is no usable snapshot: missing, another version, another root, or damaged.
     */
    public static Loaded load(Path file, Reconciler reconciler) throws IOException {
        if (reconciler.index().size() != 0) {
            throw new IllegalStateException("a snapshot is loaded into an empty index only");
        }
        CRC32 crc = new CRC32();
        List<IndexEntry> entries;
        Map<String, Reconciler.Fingerprint> prints = new HashMap<>();
        Map<String, Reconciler.KnownProblem> problems = new HashMap<>();
        Instant created;
        try (InputStream raw = Files.newInputStream(file);
                CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc);
                DataInputStream in = new DataInputStream(checked)) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return null;
            }
            if (!in.readUTF().equals(reconciler.store().root().toString())) {
                return null; // a snapshot of another store (copied along with the files): not ours to trust
            }
            created = Instant.ofEpochMilli(in.readLong());
            int strings = in.readInt();
            String[] table = new String[strings];
            for (int i = 0; i < strings; i++) {
                table[i] = readString(in);
            }
            int dirs = in.readInt();
            for (int i = 0; i < dirs; i++) {
                String rel = readString(in);
                long ino = in.readLong();
                long change = in.readLong();
                boolean racy = in.readBoolean();
                prints.put(rel, new Reconciler.Fingerprint(ino, change, racy));
            }
            int known = in.readInt();
            for (int i = 0; i < known; i++) {
                String path = readString(in);
                FileProblem.Reason reason = FileProblem.Reason.valueOf(readString(in));
                String detail = readString(in);
                Instant seen = Instant.ofEpochMilli(in.readLong());
                boolean stamped = in.readBoolean();
                long size = in.readLong();
                long modified = in.readLong();
                problems.put(path, new Reconciler.KnownProblem(new FileProblem(path, reason, detail, seen),
                        stamped ? new Reconciler.Stamp(size, modified) : null));
            }
            int n = in.readInt();
            Severity[] sevs = Severity.values();
            entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                UUID id = new UUID(in.readLong(), in.readLong());
                long micros = in.readLong();
                String node = table[in.readInt()];
                String type = table[in.readInt()];
                Severity sev = sevs[in.readByte()];
                String source = table[in.readInt()];
                String service = table[in.readInt()];
                int cid = in.readInt();
                int path = in.readInt();
                entries.add(new IndexEntry(id, micros, node, type, sev, source, service,
                        cid < 0 ? null : table[cid], path < 0 ? null : table[path])); // null: its own id
            }
            if (in.readInt() != n) {
                return null;
            }
            long expected = crc.getValue();
            if (in.readLong() != expected) {
                return null;
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (EOFException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null; // truncated or damaged: rebuilt from the files
        }
        reconciler.index().addAll(entries);
        reconciler.index().trim();
        reconciler.restore(prints, problems);
        return new Loaded(entries.size(), prints.size(), created);
    }
}
