package dev.homelab.events.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.homelab.events.storage.DurableFiles;

/**
 * The order in which this node first saw each event file: the sync cursor.
 *
 * <p>
 * Why not timestamps: an offline node delivers events late with old timestamps, so a cursor by time
 * would let them slip behind a peer's position forever. Instead every file path gets the next arrival
 * number the first time this node sees it (written here, imported, copied in by rsync), and numbers
 * never change. An export after number N therefore returns every file first seen after N, whatever its
 * timestamp. Guarantee: nothing is ever skipped, because a number handed out later is always greater than
 * every cursor a peer already holds.
 *
 * <p>
 * On disk, {@code <root>/.sync/arrivals.log}: a header line {@code homelab-arrivals v1 <log id>}, then one
 * relative path per line; the arrival number is the line number after the header. The file is only ever
 * appended to and forced after each batch. A torn last line (crash mid-append) is cut off at load; those
 * paths are simply numbered again, and peers skip the identical files they re-receive. Deleting the file
 * starts a new log id, which tells peers to start over from 0 (again harmless, only slower).
 *
 * <p>
 * Thread-safety: all methods are synchronized; batches are small and appends are sequential.
 */
public class ArrivalLog {

    private static final String HEADER = "homelab-arrivals v1 ";

    private final Path file;
    private final List<String> paths = new ArrayList<>();
    private final Set<String> known = new HashSet<>();
    private String logId;
    private FileChannel channel;

    public ArrivalLog(Path file) {
        this.file = file;
    }

    /** Loads the log, creating it when missing and cutting off a torn last line. */
    public synchronized ArrivalLog open() throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            String id = UUID.randomUUID().toString();
            DurableFiles.replace(file, (HEADER + id + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--; // torn append: drop the partial line
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        if (lines.length == 0 || !lines[0].startsWith(HEADER)) {
            throw new IOException("not an arrival log (bad header): " + file + "; move it away to start a new log");
        }
        logId = lines[0].substring(HEADER.length()).trim();
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty()) {
                // a path may appear twice (gone, then back, e.g. a restored day): each line keeps its number
                paths.add(lines[i]);
                known.add(lines[i]);
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        channel.truncate(end);
        channel.position(end);
        return this;
    }

    public synchronized String logId() {
        return logId;
    }

    /** The highest arrival number handed out. */
    public synchronized long last() {
        return paths.size();
    }

    /**
     * Numbers every path not seen before, in path order within the batch, and makes the numbers durable
     * before they can be exported. Returns how many were new.
     */
    public synchronized int record(Collection<String> current) throws IOException {
        List<String> fresh = new ArrayList<>();
        for (String p : current) {
            if (!known.contains(p)) {
                fresh.add(p);
            }
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        fresh.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String p : fresh) {
            sb.append(p).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        for (String p : fresh) {
            known.add(p);
            paths.add(p);
        }
        return fresh.size();
    }

    /**
     * Forgets that a path was seen, because its file is gone (archived, removed). Should it come back (a
     * restored day), it is numbered again and so exported again to peers whose cursor is already past it.
     */
    public synchronized void forget(String path) {
        known.remove(path);
    }

    /** One numbered path. */
    public record Arrival(long seq, String path) {
    }

    /** Up to {@code limit} arrivals with numbers greater than {@code after}, in arrival order. */
    public synchronized List<Arrival> after(long after, int limit) {
        List<Arrival> out = new ArrayList<>(Math.min(limit, 1024));
        for (long seq = Math.max(after, 0) + 1; seq <= paths.size() && out.size() < limit; seq++) {
            out.add(new Arrival(seq, paths.get((int) (seq - 1))));
        }
        return out;
    }

    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
