package dev.homelab.events.index;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.homelab.events.storage.EventFileName;

/**
 * Where each row's file is. The relative path of an event is derived from its fields by the file-name grammar;
 * only the few files whose path differs from that (a foreign name, a copy in another folder) keep their path
 * here, so a row costs no path string.
 *
 * <p>
 * Thread-safety: the override maps are concurrent; {@link #record} and {@link #forget} run only under the
 * {@link EventIndex} monitor, every other method is lock-free and ignores rows beyond its state's count.
 */
final class RowPaths {
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private final ConcurrentHashMap<Integer, String> overrides = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> overrideRows = new ConcurrentHashMap<>();

    // ---------------------------------------------------------------- writer side

    /** Remembers the path of a row whose file is not where the grammar puts it. */
    void record(int row, String path) {
        overrides.put(row, path);
        overrideRows.put(path, row);
    }

    /** Forgets the override of a removed row, if it had one. */
    void forget(int row) {
        String override = overrides.remove(row);
        if (override != null) {
            overrideRows.remove(override);
        }
    }

    // ---------------------------------------------------------------- readers

    /** The path of a row when it is not the derived one, else null (the snapshot stores only these). */
    String override(int row) {
        return overrides.get(row);
    }

    String path(IndexState s, int r) {
        String o = overrides.get(r);
        return o != null ? o : derive(s, r);
    }

    /** The row stored at a relative path, or -1. */
    int rowOf(IndexState s, String relativePath) {
        Integer o = overrideRows.get(relativePath);
        if (o != null && o < s.count) {
            return o;
        }
        int slash = relativePath.lastIndexOf('/');
        Optional<EventFileName> name = EventFileName.parse(slash < 0 ? relativePath : relativePath.substring(slash + 1));
        if (name.isEmpty()) {
            return -1;
        }
        UUID id = name.get().id();
        int row = s.row(id.getMostSignificantBits(), id.getLeastSignificantBits());
        if (row < 0 || overrides.containsKey(row)) {
            return -1;
        }
        return derive(s, row).equals(relativePath) ? row : -1;
    }

    /** Entries of the events whose directory is {@code <date>/<node>} by their path, keyed by file name. */
    Map<String, IndexEntry> entriesIn(IndexState s, NameDictionary nodeDict, String date, String node) {
        Map<String, IndexEntry> out = new HashMap<>();
        forEachIn(s, nodeDict, date, node, (name, row) -> out.put(name, s.entry(row)));
        return out;
    }

    /**
     * The file names of {@link #entriesIn}, as a new mutable set, without building an entry per row (the
     * reconciliation pass lists a busy day's directory every few seconds and needs only the names).
     */
    Set<String> namesIn(IndexState s, NameDictionary nodeDict, String date, String node) {
        Set<String> out = new HashSet<>();
        forEachIn(s, nodeDict, date, node, (name, row) -> out.add(name));
        return out;
    }

    /** What {@link #forEachIn} hands out: an event's file name in the directory, and its row. */
    private interface InDirectory {
        void accept(String name, int row);
    }

    /**
     * Every event whose directory is {@code <date>/<node>}: the rows of that day and node whose path is there (an
     * override under that directory, or a derived path, whose directory is its timestamp's day), then the overrides
     * into that directory from other days' rows. Names are built without a whole path per row.
     */
    private void forEachIn(IndexState s, NameDictionary nodeDict, String date, String node, InDirectory visit) {
        String prefix = date + "/" + node + "/";
        long key;
        try {
            key = LocalDate.parse(date).toEpochDay();
        } catch (DateTimeParseException e) {
            key = Long.MIN_VALUE;
        }
        int at = DaySegment.indexOf(s.days, key);
        int nodeId = nodeDict.find(node);
        IntBlocks positions = at >= 0 && nodeId >= 0 ? s.days[at].node.get(nodeId) : null;
        if (positions != null) {
            RowColumns c = s.c;
            for (int i = 0; i < positions.size; i++) {
                int r = s.days[at].rows.get(positions.get(i));
                String o = overrides.get(r);
                if (o != null) {
                    if (o.startsWith(prefix) && o.indexOf('/', prefix.length()) < 0) {
                        visit.accept(o.substring(prefix.length()), r);
                    }
                } else if (Math.floorDiv(c.ts[r], MICROS_PER_DAY) == key) {
                    visit.accept(deriveName(c.ts[r], s.types[c.type[r]], new UUID(c.hi[r], c.lo[r])), r);
                }
            }
        }
        for (Map.Entry<String, Integer> o : overrideRows.entrySet()) {
            if (o.getKey().startsWith(prefix) && o.getValue() < s.count && o.getKey().indexOf('/', prefix.length()) < 0) {
                visit.accept(o.getKey().substring(prefix.length()), o.getValue());
            }
        }
    }

    /** The {@code <date>/<node>} directories that hold indexed events. */
    Set<String> directories(IndexState s) {
        Set<String> out = new HashSet<>();
        for (DaySegment d : s.days) {
            String date = LocalDate.ofEpochDay(d.key).toString();
            for (int k : d.node.keys) {
                out.add(date + "/" + s.nodes[k]);
            }
        }
        for (String o : overrideRows.keySet()) {
            int slash = o.lastIndexOf('/');
            if (slash > 0) {
                out.add(o.substring(0, slash));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the derived path

    private static String derive(IndexState s, int r) {
        RowColumns c = s.c;
        return derive(c.ts[r], s.nodes[c.node[r]], s.types[c.type[r]], new UUID(c.hi[r], c.lo[r]));
    }

    /** The derived path of a row's values: {@link EventFileName#relativePath}, the grammar's home. */
    static String derive(long micros, String node, String type, UUID id) {
        return EventFileName.relativePath(micros, node, type, id);
    }

    /** The file-name part of {@link #derive}: {@link EventFileName#fileName}. */
    static String deriveName(long micros, String type, UUID id) {
        return EventFileName.fileName(micros, type, id);
    }
}
