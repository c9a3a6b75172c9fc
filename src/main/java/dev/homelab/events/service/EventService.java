package dev.homelab.events.service;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventPage;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Names;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Severity;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.Text;
import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.config.StoreConfig;
import dev.homelab.events.index.Cursor;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.index.EventWriter;
import dev.homelab.events.index.IndexEntry;
import dev.homelab.events.index.IndexPage;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.EventStore;
import dev.homelab.events.storage.ReadResult;

/**
 * The rules of the event system for single events, chains and listings: validating and recording an event,
 * reading one, a chain, a filtered page, live or with the archives (the one place that decides
 * {@code include_archived}), and the store's skipped entries.
 *
 * <p>
 * The faces ({@code rest}, {@code mcp}, the tool catalog in {@code agent} behind MCP, function calling and
 * LangChain4j, the ask agent, {@code health}) reach the event store only through the service package: this class
 * and the views built on it ({@link ChainAnalysis}, {@link StatusViews}, {@link Incidents}, {@link Remediations},
 * {@link Replication} for sync, {@link StoreHealth} for readiness). They only convert arguments and results, and
 * no index or storage type crosses into them. Two faces call a service of their own feature directly, because
 * that service is their whole subject: the archive endpoints call {@code ArchiveService} and the sync export and
 * the sync health check call {@code SyncService}; neither hands out index or storage types.
 */
@ApplicationScoped
public class EventService {

    private static final Logger LOG = Logger.getLogger(EventService.class);

    @Inject
    EventStore store;
    @Inject
    EventIndex index;
    @Inject
    Reconciler reconciler;
    @Inject
    EventWriter writer;
    @Inject
    ArchiveService archives;

    private final MeterRegistry metrics;
    private final EventValidator validator;

    @Inject
    public EventService(StoreConfig config, ObjectMapper mapper, MeterRegistry registry) {
        this.validator = new EventValidator(config.events().customTypes().orElse(List.of()),
                config.node().filter(n -> !n.isBlank()).orElseGet(EventService::hostname),
                config.events().payloadMaxBytes(), config.events().payloadMaxDepth(), config.events().maxFutureSkew(),
                mapper, Clock.systemUTC());
        this.metrics = registry;
    }

    /**
     * Validates and durably records a new event; returns only once it is on disk and indexed.
     *
     * <p>
     * With an id chosen by the caller ({@link EventDraft#id()}, a UUID) the write is idempotent: when the store
     * already holds that id, nothing is written and the stored event is returned ({@link Emitted#created()} false)
     * if it is the same event, else a {@link dev.homelab.events.ConflictException} names the fields that differ. The same event means
     * the same fields after the defaults are applied (node, correlation id, payload {@code {}}); the timestamp
     * counts only when the caller gave one, so a retry without a timestamp matches; payload objects compare by
     * JSON value (key order and the notation of a number, {@code 1.0} or {@code 1}, do not matter). The correlation
     * id defaults to the chosen id, as it does to a random one.
     */
    public Emitted emit(EventDraft draft) {
        Event event;
        try {
            event = validator.toEvent(draft); // with the chosen id, or a random one
        } catch (InvalidInputException e) {
            for (FieldError f : e.errors()) {
                metrics.counter("homelab.events.rejected", "reason", "invalid_" + f.field()).increment();
            }
            throw e;
        }
        try {
            if (draft.id() == null) {
                EventWriter.Written written = writer.append(event); // the one write path: durable, indexed and counted
                return new Emitted(written.event(), written.relativePath(), true, written.bytes());
            }
            boolean timestampGiven = draft.timestamp() != null;
            EventWriter.Appended a = writer.appendOnce(event,
                    stored -> differences(event, stored, timestampGiven, Set.of()));
            return new Emitted(a.event(), a.relativePath(), a.created(), a.bytes());
        } catch (FileAlreadyExistsException e) {
            // a random UUID collided, or a writer reused a name: never overwrite, report it
            throw new StoreUnavailableException("an event file with this name already exists: " + e.getFile(), false, e);
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    /** What an event id may be, for error messages. */
    static final String ID_RULE = "must be a UUID such as 0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11 (36 characters, "
            + "hexadecimal digits and dashes); omit it to let the server choose one";

    private static final java.util.regex.Pattern UUID_TEXT = java.util.regex.Pattern
            .compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A chosen event id in its canonical form (36 characters, either case; stored lower case), or null. */
    public static UUID chosenId(String text) {
        return text != null && UUID_TEXT.matcher(text).matches() ? UUID.fromString(text) : null;
    }

    /**
     * An event id a caller chose, parsed from the text a face received: the UUID, null when none was given, or an
     * {@link InvalidInputException} naming {@code field}.
     */
    public static UUID chosenId(String field, String text) {
        if (text == null) {
            return null;
        }
        UUID id = chosenId(text);
        if (id == null) {
            throw new InvalidInputException(field, Text.echo(text, EventValidator.VALUE_MAX_CHARS), ID_RULE);
        }
        return id;
    }

    /**
     * The fields in which {@code stored} differs from the {@code candidate} of a write with the same id, by the
     * rule of {@link #emit}: the eight fields (the timestamp only when {@code compareTimestamp}), payload objects by
     * JSON value, leaving out the payload fields in {@code ignoredPayloadFields}.
     */
    static List<String> differences(Event candidate, Event stored, boolean compareTimestamp,
            Set<String> ignoredPayloadFields) {
        List<String> out = new ArrayList<>();
        if (compareTimestamp && !candidate.timestamp().equals(stored.timestamp())) {
            out.add("timestamp");
        }
        if (!candidate.node().equalsIgnoreCase(stored.node())) { // node names are DNS names: case does not matter
            out.add("node");
        }
        if (!candidate.type().equals(stored.type())) {
            out.add("type");
        }
        if (candidate.severity() != stored.severity()) {
            out.add("severity");
        }
        if (!candidate.source().equals(stored.source())) {
            out.add("source");
        }
        if (!candidate.service().equals(stored.service())) {
            out.add("service");
        }
        if (!candidate.correlationId().equals(stored.correlationId())) {
            out.add("correlation_id");
        }
        com.fasterxml.jackson.databind.node.ObjectNode a = candidate.payload().deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode b = stored.payload().deepCopy();
        a.remove(ignoredPayloadFields);
        b.remove(ignoredPayloadFields);
        if (!a.equals(SAME_JSON_VALUE, b)) {
            out.add("payload");
        }
        return out;
    }

    /** JSON value equality: numbers by value, whatever their notation or Java type; everything else as Jackson does. */
    private static final java.util.Comparator<com.fasterxml.jackson.databind.JsonNode> SAME_JSON_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            try {
                return x.decimalValue().compareTo(y.decimalValue());
            } catch (NumberFormatException notFinite) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
        }
        return x.equals(y) ? 0 : 1;
    };

    /** The path of the event with this id relative to the root, if the store holds one. */
    public java.util.Optional<String> pathOf(UUID id) {
        return index.get(id).map(IndexEntry::relativePath);
    }

    /**
     * The stored event with this id, looked up after a cheap reconciliation pass (the directories that changed),
     * so that a file another process wrote a moment ago is found. For rare paths only: the pass stats every
     * directory of the store.
     */
    public java.util.Optional<Event> findAfterRefresh(UUID id) {
        java.util.Optional<Event> known = find(id);
        if (known.isPresent()) {
            return known;
        }
        catchUp();
        return find(id);
    }

    /**
     * A cheap reconciliation pass now (the directories that changed), so that files another process wrote a
     * moment ago are indexed. For rare paths only, before refusing something: the pass stats every directory of
     * the store.
     */
    public void catchUp() {
        try {
            reconciler.reconcileChanged();
        } catch (IOException e) {
            LOG.debugf("reconciliation pass failed: %s", Text.escape(String.valueOf(e.getMessage())));
        }
    }

    /** The stored event with this id, if the store holds one. */
    public java.util.Optional<Event> find(UUID id) {
        return index.get(id).flatMap(this::load);
    }

    static StoreUnavailableException writeFailure(IOException e) {
        String text = String.valueOf(e.getMessage());
        boolean full = text.contains("No space left") || text.contains("Disk quota exceeded");
        String reason = full
                ? "the disk holding the event store is full (no space or no inodes left)"
                : text.contains("Read-only file system")
                        ? "the event store is on a read-only file system"
                        : e instanceof java.nio.file.AccessDeniedException || text.endsWith("Operation not permitted")
                                ? "permission denied writing to the event store"
                                : "the event could not be written durably";
        LOG.warnf("Event write failed: %s (%s)", reason, Text.escape(text));
        return new StoreUnavailableException(reason + "; nothing was stored. Cause: " + e, full, e);
    }

    public Event get(String id) {
        UUID uuid = parseId(id);
        IndexEntry entry = index.get(uuid).orElseThrow(() -> new NotFoundException("no event with id " + id));
        return load(entry).orElseThrow(() -> new NotFoundException("event " + id + " is indexed but its file is gone"));
    }

    /** The events of a correlation id, oldest first, across nodes and dates. Throws when there are none. */
    public List<Event> chain(String correlationId) {
        if (correlationId == null || correlationId.isBlank()) {
            throw new InvalidInputException("correlation_id", correlationId, "is required");
        }
        List<Event> events = loadAll(index.chain(correlationId));
        if (events.isEmpty()) {
            throw new NotFoundException(
                    "no events with correlation_id " + Text.echo(correlationId, EventValidator.VALUE_MAX_CHARS));
        }
        return events;
    }

    /**
     * The events of a correlation id, oldest first; with {@code includeArchived} the archived days are searched
     * too (slower: reads archives). Throws when there are none.
     */
    public List<Event> chain(String correlationId, boolean includeArchived) {
        return includeArchived ? archives.chainWithArchived(correlationId) : chain(correlationId);
    }

    /**
     * A filtered page of events, from the live index or, with {@code includeArchived}, from the live index and
     * the archives together (slower: reads archives).
     */
    public EventPage list(ListCriteria c, int defaultLimit, int maxLimit, boolean includeArchived) {
        return includeArchived ? archives.listWithArchived(c, defaultLimit, maxLimit) : list(c, defaultLimit, maxLimit);
    }

    /** A filtered page of live events. {@code maxLimit} and {@code defaultLimit} differ between REST and agent tools. */
    public EventPage list(ListCriteria c, int defaultLimit, int maxLimit) {
        EventQuery q = toQuery(c, defaultLimit, maxLimit, Instant.now());
        IndexPage page = index.query(q);
        List<Event> events = loadAll(page.entries());
        String next = page.hasMore() && !page.entries().isEmpty()
                ? Cursor.of(page.entries().get(page.entries().size() - 1)).encode()
                : null;
        return new EventPage(events, page.total(), page.hasMore(), next);
    }

    /** Validates a listing's filters; every bad one is named. */
    public EventQuery toQuery(ListCriteria c, int defaultLimit, int maxLimit, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        Instant since = time("since", c.since(), now, errors);
        Instant until = time("until", c.until(), now, errors);
        if (since != null && until != null && !since.isBefore(until)) {
            errors.add(EventValidator.error("until", c.until(), "must be after since (" + c.since() + ")"));
        }
        Set<String> types = split(c.types());
        Set<String> unknown = new HashSet<>(types);
        unknown.removeAll(validator.types());
        if (!unknown.isEmpty()) {
            errors.add(EventValidator.error("type", String.join(",", unknown),
                    "is not an allowed type; allowed: " + String.join(", ", validator.types())));
        }
        // node names are stored in lower case (DNS names are case-insensitive): node=PI4 finds pi4
        Set<String> nodes = split(c.nodes()).stream().map(n -> n.toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        for (String n : nodes) {
            if (!Names.isValidNode(n)) {
                errors.add(EventValidator.error("node", n, "is not a valid hostname"));
            }
        }
        Severity min = null;
        if (c.minSeverity() != null && !c.minSeverity().isBlank()) {
            min = Severity.parse(c.minSeverity()).orElse(null);
            if (min == null) {
                errors.add(
                        EventValidator.error("min_severity", c.minSeverity(), "allowed: " + String.join(", ", Severity.NAMES)));
            }
        }
        boolean newestFirst = true;
        if (c.order() != null && !c.order().isBlank()) {
            switch (c.order()) {
                case "newest" -> newestFirst = true;
                case "oldest" -> newestFirst = false;
                default -> errors.add(EventValidator.error("order", c.order(), "allowed: newest, oldest"));
            }
        }
        int limit = c.limit() == null ? defaultLimit : c.limit();
        if (limit < 1 || limit > maxLimit) {
            errors.add(EventValidator.error("limit", String.valueOf(c.limit()), "must be between 1 and " + maxLimit));
        }
        Cursor after = null;
        if (c.cursor() != null && !c.cursor().isBlank()) {
            after = Cursor.decode(c.cursor()).orElse(null);
            if (after == null) {
                errors.add(EventValidator.error("cursor", c.cursor(),
                        "is not a cursor returned by this server (use next_cursor as given)"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new EventQuery(since, until, nodes, types, min, blankToNull(c.service()), blankToNull(c.source()),
                blankToNull(c.correlationId()), newestFirst, after, limit);
    }

    /** Entries under the root that no reader takes for an event, in the order the store found them. */
    public List<StoreProblem> problems() {
        return reconciler.problems().stream()
                .map(p -> new StoreProblem(p.path(), p.reason().name(), p.detail(), p.seenAt())).toList();
    }

    /** Types this server accepts: the ten normalized ones, then the configured custom ones. */
    public List<String> types() {
        return validator.types();
    }

    public String nodeName() {
        return validator.defaultNode();
    }

    public Path root() {
        return store.root();
    }

    /** Every correlation id in the index, for completion and incident listings (a weakly consistent view). */
    public Set<String> correlationIds() {
        return java.util.Collections.unmodifiableSet(index.correlationIds());
    }

    /**
     * Index entries matching a query, without reading payloads. For the service's own views and the archive
     * layer; faces use {@link #list}.
     */
    public IndexPage entries(EventQuery q) {
        return index.query(q);
    }

    /**
     * The events of index entries, read from their files (several at once: {@link ParallelReads}); entries whose
     * file is gone are dropped from the index.
     */
    public List<Event> loadAll(List<IndexEntry> entries) {
        List<java.util.Optional<Event>> read = ParallelReads.map(entries, this::load);
        List<Event> out = new ArrayList<>(entries.size());
        read.forEach(e -> e.ifPresent(out::add));
        return out;
    }

    private java.util.Optional<Event> load(IndexEntry e) {
        ReadResult r = store.read(Path.of(e.relativePath()));
        if (r instanceof ReadResult.Ok ok) {
            return java.util.Optional.of(ok.event());
        }
        // the file changed or vanished since it was indexed (archived, removed by hand): the files win
        index.removePath(e.relativePath());
        return java.util.Optional.empty();
    }

    private static UUID parseId(String id) {
        try {
            if (id != null && id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw new InvalidInputException("id", id, "must be an event id (a UUID such as 0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11)");
    }

    private static Instant time(String field, String text, Instant now, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return TimeExpressions.parse(field, text, now);
        } catch (InvalidInputException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    /** Accepts repeated parameters and comma-separated lists alike. */
    private static Set<String> split(List<String> values) {
        if (values == null) {
            return Set.of();
        }
        return values.stream().filter(v -> v != null).flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::trim).filter(v -> !v.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String hostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the resolver
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Where one event lives in the store: its id and its file, relative to the root. */
    public record EventFile(UUID id, String path) {
    }

    /** The files of a listing page, and whether more events match. */
    public record EventFiles(List<EventFile> files, boolean hasMore) {
    }

    /**
     * The files of a chain's events, newest first, at most {@code max}: from the index only (no file is read),
     * because files written by other tools may have any name.
     */
    public EventFiles chainFiles(String correlationId, int max) {
        EventQuery q = toQuery(new ListCriteria(null, null, null, null, null, null, null, correlationId, "newest", max,
                null), max, max, Instant.now());
        IndexPage page = entries(q);
        return new EventFiles(page.entries().stream().map(e -> new EventFile(e.id(), e.relativePath())).toList(),
                page.hasMore());
    }

    /**
     * Tells {@code listener} the correlation ids of the chains that gained events, whoever wrote them (see
     * {@link EventIndex#onChainsGrown}: called under the index's lock, so a listener only hands the work off).
     */
    public void onChainsGrown(java.util.function.Consumer<java.util.Set<String>> listener) {
        index.onChainsGrown(listener);
    }
}
