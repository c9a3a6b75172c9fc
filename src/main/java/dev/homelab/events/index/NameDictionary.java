package dev.homelab.events.index;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Append-only dictionary of the names of one column (nodes, types, sources or services): ids are dense, names
 * never change, so a reader may resolve any id it got from a published row.
 *
 * <p>
 * Thread-safety: {@link #idOf} appends and is called only by the index writer (under the {@link EventIndex}
 * monitor); {@link #find} is lock-free (the id map is concurrent). Readers resolve ids through the
 * {@link #names} array captured in a published {@link IndexState}, never through this field directly; an id
 * found here may lie beyond that array (a name added after the state was published).
 */
final class NameDictionary {
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    /** Writer side; replaced (grown), never shrunk. A published state keeps the array it saw. */
    String[] names = new String[16];
    /** Number of ids handed out. Writer side. */
    int size;

    int idOf(String s) {
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
        }
        names[size] = s;
        ids.put(s, size);
        return size++;
    }

    /** The id of a name, or -1 when it was never seen. */
    int find(String s) {
        Integer id = s == null ? null : ids.get(s);
        return id == null ? -1 : id;
    }

    /** The ids of the known names among {@code names}, sorted and distinct. */
    int[] ids(Set<String> names) {
        return names.stream().mapToInt(this::find).filter(i -> i >= 0).distinct().sorted().toArray();
    }
}
