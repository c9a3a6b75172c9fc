package dev.homelab.events.storage;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.homelab.events.Names;
import dev.homelab.events.Timestamps;

/**
 * The path codec of format v1, and the only place that knows it (docs/format.md):
 *
 * <pre>
 * &lt;yyyy-MM-dd&gt;/&lt;node&gt;/&lt;yyyyMMdd'T'HHmmss.SSSSSS'Z'&gt;_&lt;type&gt;_&lt;uuid&gt;.json
 * </pre>
 *
 * The type may itself contain underscores; the fixed-width timestamp and UUID make the split unambiguous.
 * Names are built and parsed without a {@code DateTimeFormatter}: the first scan of a large store parses a
 * million of them, and a formatter costs several microseconds each. Parsing is strict: a name whose digits
 * are not a real instant (30 February, hour 24) does not follow the grammar.
 *
 * <p>
 * A file whose name does not follow the grammar is still an event file when its content is one (a foreign
 * writer, a hand-made file): see {@link #isEventFileName}. Byte-exact copies (sync, archive restore) keep such
 * a name unchanged, so the event keeps its id (see {@link #checkLayoutPath}).
 */
public record EventFileName(Instant timestamp, String type, UUID id) {

    private static final Pattern DATE_DIRECTORY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final String SUFFIX = ".json";

    /** The file name, e.g. {@code 20261126T234751.123456Z_deployment_failed_0b6f7a6e-...json}. */
    public String format() {
        StringBuilder b = new StringBuilder(type.length() + 68);
        LocalDateTime t = LocalDateTime.ofEpochSecond(timestamp.getEpochSecond(), 0, ZoneOffset.UTC);
        appendName(b, t, timestamp.getNano() / 1_000, type, id);
        return b.toString();
    }

    /** The directory of an event relative to the root: {@code <yyyy-MM-dd>/<node>}. */
    public static Path directory(Instant timestamp, String node) {
        return Path.of(Timestamps.DATE.format(timestamp), node);
    }

    /**
     * The whole relative path {@code <yyyy-MM-dd>/<node>/<file name>} of an event whose file name follows the
     * grammar, from the values the index keeps (timestamp in microseconds since the epoch). Built without a
     * formatter: the index derives one for every entry it hands out (about 190 against 460 ns).
     */
    public static String relativePath(long micros, String node, String type, UUID id) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(node.length() + type.length() + 80);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('/').append(node).append('/');
        appendName(b, t, (int) Math.floorMod(micros, 1_000_000L), type, id);
        return b.toString();
    }

    /** The file name {@code <yyyyMMdd'T'HHmmss.SSSSSS'Z'>_<type>_<uuid>.json} of {@link #relativePath}. */
    public static String fileName(long micros, String type, UUID id) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(type.length() + 64);
        appendName(b, t, (int) Math.floorMod(micros, 1_000_000L), type, id);
        return b.toString();
    }

    private static void appendName(StringBuilder b, LocalDateTime t, int micros, String type, UUID id) {
        pad(b, t.getYear(), 4);
        pad(b, t.getMonthValue(), 2);
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2);
        pad(b, t.getMinute(), 2);
        pad(b, t.getSecond(), 2).append('.');
        pad(b, micros, 6).append("Z_").append(type).append('_').append(id).append(SUFFIX);
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }

    /** The grammar as a regular expression: the definition {@link #parse} implements by hand (tests compare them). */
    static final Pattern GRAMMAR = Pattern.compile(
            "(\\d{8}T\\d{6}\\.\\d{6}Z)_([a-z][a-z0-9_]{0,63})_"
                    + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.json");
    /** {@code _<uuid>.json}: the fixed-width tail after the type. */
    private static final int TAIL = 1 + 36 + SUFFIX.length();
    /** {@code yyyyMMddTHHmmss.SSSSSSZ_}: the fixed-width head before the type. */
    private static final int HEAD = 24;

    /**
     * The name's timestamp, type and id when it follows the grammar ({@link #GRAMMAR}, strictly), else empty.
     * Checked position by position rather than with the regular expression: the first scan parses a million names.
     */
    public static Optional<EventFileName> parse(String fileName) {
        int n = fileName.length();
        int typeEnd = n - TAIL;
        if (typeEnd - HEAD < 1 || typeEnd - HEAD > 64 || !fileName.endsWith(SUFFIX) || !fixedPartsMatch(fileName, typeEnd)) {
            return Optional.empty();
        }
        String t = fileName;
        long seconds = epochSecond(digits(t, 0, 4), digits(t, 4, 2), digits(t, 6, 2), digits(t, 9, 2), digits(t, 11, 2),
                digits(t, 13, 2));
        if (seconds == NO_INSTANT) {
            return Optional.empty(); // digits that are no instant (month 13, 31 November, hour 24)
        }
        Instant at = Instant.ofEpochSecond(seconds, digits(t, 16, 6) * 1000L);
        if (!Timestamps.isSupported(at)) {
            return Optional.empty(); // a year no writer produces (before 1970)
        }
        try {
            return Optional.of(new EventFileName(at, fileName.substring(HEAD, typeEnd),
                    UUID.fromString(fileName.substring(typeEnd + 1, n - SUFFIX.length()))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** What {@link #epochSecond} answers for numbers that are no date and time. */
    static final long NO_INSTANT = Long.MIN_VALUE;
    /** Days of each month beyond 28, two bits per month at {@code month * 2}: 3 0 3 2 3 2 3 3 2 3 2 3. */
    private static final int MONTH_EXTRA = 0b11_10_11_10_11_11_10_11_10_11_00_11_00;

    /**
     * Seconds since the epoch of a UTC date and time of year 0 to 9999 given as numbers, or {@link #NO_INSTANT} (month
     * 13, 31 November, 29 February of a common year, hour 24), as {@code LocalDateTime.of} decides. Arithmetic with no
     * branch on the values: the first scan reads a store day by day, and each case a branch had not met yet (the first
     * 30-day month, the first day after the 28th) made the JIT throw away and recompile the whole decoder it was
     * inlined into (three C2 compilations of {@code EventCodec.fromBytes} in one first start of 200,000 events).
     */
    static long epochSecond(int year, int month, int day, int hour, int minute, int second) {
        int leap = (((year & 3) - 1) >>> 31) & ((((year % 100) - 1) >>> 31 ^ 1) | (((year % 400) - 1) >>> 31));
        int february = ((month ^ 2) - 1) >>> 31;
        int length = 28 + ((MONTH_EXTRA >>> (month << 1)) & 3) + (february & leap);
        if ((year < 0) | (year > 9999) | (month < 1) | (month > 12) | (day < 1) | (day > length) | (hour < 0) | (hour > 23)
                | (minute < 0) | (minute > 59) | (second < 0) | (second > 59)) {
            return NO_INSTANT;
        }
        // the Julian day number of a Gregorian date (March-based year, so the leap day falls at its end)
        int a = (14 - month) / 12;
        long y = year + 4800L - a;
        long m = month + 12L * a - 3;
        long julianDay = day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045;
        return (julianDay - 2_440_588L) * 86_400L + hour * 3_600L + minute * 60L + second;
    }

    /** Digits, separators, the type's characters and the uuid's lower-case hex, where the grammar puts them. */
    private static boolean fixedPartsMatch(String s, int typeEnd) {
        for (int i = 0; i < HEAD; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 8 -> c == 'T';
                case 15 -> c == '.';
                case 22 -> c == 'Z';
                case 23 -> c == '_';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return false;
            }
        }
        char first = s.charAt(HEAD);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = HEAD + 1; i < typeEnd; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        if (s.charAt(typeEnd) != '_') {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(typeEnd + 1 + i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

    /**
     * True for a name an event file may have: it ends in {@code .json}, does not start with a dot (temporary
     * and hidden files) and holds no control character. Names that follow the grammar are a subset.
     * The reader and the copy paths apply this one rule, so every file that is indexed can be archived,
     * restored and synced under its own name.
     */
    public static boolean isEventFileName(String name) {
        if (name.length() <= SUFFIX.length() || !name.endsWith(SUFFIX) || name.startsWith(".")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Names.isControl(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True for the name of a partition directory: a calendar date {@code yyyy-MM-dd}. */
    public static boolean isDateDirectory(String name) {
        return DATE_DIRECTORY.matcher(name).matches()
                && epochSecond(digits(name, 0, 4), digits(name, 5, 2), digits(name, 8, 2), 0, 0, 0) != NO_INSTANT;
    }

    /** True for the name of a node directory: a hostname. */
    public static boolean isNodeDirectory(String name) {
        return Names.isValidNode(name);
    }

    /**
     * Checks a relative path under which a byte-exact copy (sync import, archive restore) may be written,
     * segment by segment: {@code <yyyy-MM-dd>/<node>/<name>}, where the name is an {@linkplain #isEventFileName
     * event file name}, and, when it follows the grammar, carries a timestamp on that date. A non-standard
     * name is kept as it is: renaming it would change the id of an event that has no id field (its id is
     * derived from its path). Whether the content belongs there is the store's check.
     *
     * @throws IllegalArgumentException naming the first segment that does not fit
     */
    public static void checkLayoutPath(Path relative) {
        if (relative == null || relative.isAbsolute() || relative.getNameCount() != 3) {
            throw new IllegalArgumentException("path must be <yyyy-MM-dd>/<node>/<file name>, got: " + relative);
        }
        String date = relative.getName(0).toString();
        String node = relative.getName(1).toString();
        String file = relative.getName(2).toString();
        if (!isDateDirectory(date)) {
            throw new IllegalArgumentException("first segment must be a calendar date yyyy-MM-dd, got: " + date);
        }
        if (!isNodeDirectory(node)) {
            throw new IllegalArgumentException("second segment must be a hostname (node), got: " + node);
        }
        if (!isEventFileName(file)) {
            throw new IllegalArgumentException("file name must end in .json, not start with '.' and hold no control"
                    + " character (the grammar is <yyyyMMdd'T'HHmmss.SSSSSS'Z'>_<type>_<uuid>.json), got: " + file);
        }
        Optional<EventFileName> name = parse(file);
        if (name.isPresent() && !Timestamps.DATE.format(name.get().timestamp()).equals(date)) {
            throw new IllegalArgumentException("file name timestamp is not on the date " + date + ": " + file);
        }
    }
}
