package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFileName;

/**
 * Where the audit trail lives in a store, format version 1 (docs/audit.md). Everything is under one hidden
 * directory, so the readers, rsync users and the layout of the seed are unaffected:
 *
 * <pre>
 * &lt;root&gt;/.audit/&lt;yyyy-MM-dd&gt;/&lt;node&gt;.seals    append-only seal record of the node-day (JSON lines)
 * &lt;root&gt;/.audit/&lt;yyyy-MM-dd&gt;/&lt;node&gt;.digest   the signed digest that closes the node-day (one JSON object)
 * &lt;root&gt;/.audit/keys/&lt;signer&gt;.pub            the signer's Ed25519 public key (PEM)
 * &lt;root&gt;/.audit/peers/&lt;signer&gt;/&lt;date&gt;/&lt;node&gt;.digest   a sync peer's digest, as the peer signed it
 * &lt;root&gt;/.audit/peers/&lt;signer&gt;/&lt;date&gt;/&lt;node&gt;.seals    the part of the peer's seal record it covers
 * &lt;root&gt;/.audit/peers/&lt;signer&gt;/&lt;key id&gt;.pub      the peer's public key, pinned at first contact
 * </pre>
 *
 * Dates and node names are checked with the store's own grammar ({@link EventFileName}) before they become
 * path segments. A node name may be 253 characters long and a file name at most {@value #NAME_MAX}, so for a
 * name that long the suffix shrinks to its first letter ({@code <node>.s}, {@code <node>.d}, {@code <signer>.p}):
 * {@link #fileName} and {@link #nameOf} are the one place that rule lives.
 */
final class AuditLayout {

    static final String DIR = ".audit";
    static final String SEALS = ".seals";
    static final String DIGEST = ".digest";
    static final String PUB = ".pub";
    /** The longest file name ext4, xfs and btrfs take (bytes; node names are ASCII). */
    static final int NAME_MAX = 255;

    private final Path root;
    private final Path dir;

    AuditLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.dir = this.root.resolve(DIR);
    }

    Path root() {
        return root;
    }

    Path dir() {
        return dir;
    }

    Path dayDir(String date) {
        return dir.resolve(checkDate(date));
    }

    Path seals(String date, String node) {
        return dayDir(date).resolve(fileName(node, SEALS));
    }

    Path digest(String date, String node) {
        return dayDir(date).resolve(fileName(node, DIGEST));
    }

    Path keys() {
        return dir.resolve("keys");
    }

    Path publicKey(String signer) {
        return keys().resolve(fileName(signer, PUB));
    }

    /** Records received from sync peers, by the peer's signer name: never read as this node's own trail. */
    Path peers() {
        return dir.resolve("peers");
    }

    Path peerDir(String signer) {
        return peers().resolve(checkNode(signer));
    }

    Path peerDigest(String signer, String date, String node) {
        return peerDir(signer).resolve(checkDate(date)).resolve(fileName(node, DIGEST));
    }

    Path peerSeals(String signer, String date, String node) {
        return peerDir(signer).resolve(checkDate(date)).resolve(fileName(node, SEALS));
    }

    /** The peer's public key as pinned when its records were received, by key id (a replaced key adds a file). */
    Path peerKey(String signer, String keyId) {
        if (!keyId.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a key id: " + keyId);
        }
        return peerDir(signer).resolve(keyId + ".pub");
    }

    /** The file of {@code name}'s record of kind {@code suffix}: {@code <name><suffix>}, shortened when too long. */
    static String fileName(String name, String suffix) {
        String full = checkNode(name) + suffix;
        return full.length() <= NAME_MAX ? full : name + suffix.substring(0, 2);
    }

    /** The node or signer a file of kind {@code suffix} belongs to (the inverse of {@link #fileName}), else null. */
    static String nameOf(String file, String suffix) {
        String name = null;
        if (file.endsWith(suffix)) {
            name = file.substring(0, file.length() - suffix.length());
        } else if (file.endsWith(suffix.substring(0, 2))) {
            name = file.substring(0, file.length() - 2);
            name = (name + suffix).length() > NAME_MAX ? name : null; // only a name too long for the full suffix
        }
        return name != null && EventFileName.isNodeDirectory(name) ? name : null;
    }

    /** A file of a day's records: whose, and whether it is the digest (else the seal record). */
    record DayFile(String node, boolean digest) {
    }

    /** What a name in {@code .audit/<date>/} is: a digest or a seal record of a node, else null. */
    static DayFile dayFile(String file) {
        String node = nameOf(file, DIGEST);
        if (node != null) {
            return new DayFile(node, true);
        }
        node = nameOf(file, SEALS);
        return node != null ? new DayFile(node, false) : null;
    }

    /** The store-relative name of an audit file, as findings report it. */
    String relative(Path file) {
        return root.relativize(file).toString();
    }

    static String checkDate(String date) {
        if (date == null || !EventFileName.isDateDirectory(date)) {
            throw new IllegalArgumentException("not a yyyy-MM-dd date: " + date);
        }
        return date;
    }

    static String checkNode(String node) {
        if (node == null || !EventFileName.isNodeDirectory(node)) {
            throw new IllegalArgumentException("not a node name: " + node);
        }
        return node;
    }

    /** A {@code <date>/<node>} pair. */
    record NodeDay(String date, String node) implements Comparable<NodeDay> {

        /** The node-day of a relative event path {@code <date>/<node>/<name>}, or null when it is not one. */
        static NodeDay ofPath(String relativePath) {
            String[] parts = relativePath.split("/");
            if (parts.length != 3 || !EventFileName.isDateDirectory(parts[0]) || !EventFileName.isNodeDirectory(parts[1])) {
                return null;
            }
            return new NodeDay(parts[0], parts[1]);
        }

        LocalDate day() {
            return LocalDate.parse(date);
        }

        @Override
        public int compareTo(NodeDay o) {
            int c = date.compareTo(o.date);
            return c != 0 ? c : node.compareTo(o.node);
        }

        @Override
        public String toString() {
            return date + "/" + node;
        }
    }

    /** Every node-day that has event directories in the store or seal or digest files in the audit directory. */
    List<NodeDay> nodeDays() throws IOException {
        TreeSet<NodeDay> out = new TreeSet<>();
        for (String date : names(root)) {
            if (EventFileName.isDateDirectory(date) && Files.isDirectory(root.resolve(date), LinkOption.NOFOLLOW_LINKS)) {
                for (String node : names(root.resolve(date))) {
                    if (EventFileName.isNodeDirectory(node)
                            && Files.isDirectory(root.resolve(date).resolve(node), LinkOption.NOFOLLOW_LINKS)) {
                        out.add(new NodeDay(date, node));
                    }
                }
            }
        }
        out.addAll(recorded());
        return new ArrayList<>(out);
    }

    /** Node-days with a seal record or a digest. */
    List<NodeDay> recorded() throws IOException {
        TreeSet<NodeDay> out = new TreeSet<>();
        for (String date : names(dir)) {
            if (!EventFileName.isDateDirectory(date)) {
                continue;
            }
            for (String name : names(dir.resolve(date))) {
                DayFile f = dayFile(name);
                if (f != null) {
                    out.add(new NodeDay(date, f.node()));
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Names in a directory, none when it does not exist. */
    static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException gone) {
            // nothing there
        }
        return out;
    }

    /** Creates {@code target}'s missing parents under the root one by one, forcing each new entry to disk. */
    void createParents(Path target) throws IOException {
        Path parent = target.getParent();
        if (Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = parent; p != null && !p.equals(root) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                // made by another thread or process meanwhile
            }
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a directory (a symlink or file is in the way): " + p);
            }
            DurableFiles.forceDirectory(p.getParent());
        }
    }
}
