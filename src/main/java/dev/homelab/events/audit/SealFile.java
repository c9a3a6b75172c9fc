package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.homelab.events.storage.EventFiles;

/**
 * Reads a seal record: JSON lines, each ending in a newline. A line that does not parse is a fragment: the last
 * one, without its newline, is what a crash during an append leaves (a torn line); a sealer that opens the file
 * again ends it with a newline before appending, so the fragment stays a line of its own and is reported,
 * precisely, by byte offset, never mistaken for a seal.
 */
final class SealFile {

    /** Seal records larger than this are refused (a million files in one node-day is about 300 MB). */
    static final long MAX_BYTES = 1L << 30;

    private static final Pattern PATH_HINT = Pattern.compile("^\\{\"path\":\"([^\"]*)\"");

    /** A parsed line and where it lies: bytes [offset, end), end including the newline. */
    record Line(Seal seal, long offset, long end) {
    }

    /** Bytes that are not a seal: a torn line (crash) or anything else, with the path it names if it names one. */
    record Fragment(long offset, int length, boolean terminated, String pathHint) {
    }

    record Contents(byte[] bytes, List<Line> lines, List<Fragment> fragments) {

        static final Contents EMPTY = new Contents(new byte[0], List.of(), List.of());

        long length() {
            return bytes.length;
        }

        /**
         * The leaves of a digest covering the first {@code upTo} bytes: the seals of the lines that end there or
         * before, each path once (its first seal), in listing order.
         */
        List<Seal> leaves(long upTo) {
            Map<String, Seal> unique = new LinkedHashMap<>();
            for (Line line : lines) {
                if (line.end() <= upTo) {
                    unique.putIfAbsent(line.seal().path(), line.seal());
                }
            }
            return Seal.inListingOrder(unique.values());
        }
    }

    private SealFile() {
    }

    /** Reads a seal record; an absent file is {@link Contents#EMPTY}, so is the null path. */
    static Contents read(Path file) throws IOException {
        if (file == null || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Contents.EMPTY;
        }
        byte[] bytes;
        try {
            bytes = EventFiles.readAtMost(file, MAX_BYTES);
        } catch (NoSuchFileException gone) {
            return Contents.EMPTY;
        }
        return parse(bytes);
    }

    static Contents parse(byte[] bytes) {
        List<Line> lines = new ArrayList<>();
        List<Fragment> fragments = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', start);
            boolean terminated = nl >= 0;
            int end = terminated ? nl : bytes.length;
            if (end > start) {
                try {
                    if (!terminated) {
                        throw new IllegalArgumentException("no newline");
                    }
                    lines.add(new Line(Seal.parse(bytes, start, end), start, end + 1L));
                } catch (IllegalArgumentException e) {
                    fragments.add(new Fragment(start, end - start, terminated, pathHint(bytes, start, end)));
                }
            }
            start = terminated ? nl + 1 : bytes.length;
        }
        return new Contents(bytes, List.copyOf(lines), List.copyOf(fragments));
    }

    private static String pathHint(byte[] bytes, int from, int to) {
        Matcher m = PATH_HINT.matcher(new String(bytes, from, Math.min(to - from, 600), StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
