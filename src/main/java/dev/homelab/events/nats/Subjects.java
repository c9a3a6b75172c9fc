package dev.homelab.events.nats;

import java.util.List;

/**
 * Names on the NATS side, defined once: subjects {@code homelab.events.<node>.<type>}, the headers every
 * message carries, and the consumer name derived from a node.
 *
 * <p>
 * A node name may contain dots (a hostname such as {@code pi4.lan}), and a dot separates subject tokens, so
 * in a subject or a consumer name each dot becomes {@code _}, a character node names never contain: the
 * mapping is one to one.
 */
public final class Subjects {

    /** Every event subject starts with this; the stream listens on {@code homelab.events.>}. */
    public static final String PREFIX = "homelab.events";
    public static final String ALL = PREFIX + ".>";

    /** Audit subjects, in a sibling stream: {@code homelab.audit.<node>.key} holds a node's audit public key. */
    public static final String AUDIT_PREFIX = "homelab.audit";
    public static final String AUDIT_ALL = AUDIT_PREFIX + ".>";

    /** The event file's path relative to the store root: where the importer writes the very same bytes. */
    public static final String PATH_HEADER = "Homelab-Path";
    /** The node whose outbox published the message; a node skips its own. */
    public static final String ORIGIN_HEADER = "Homelab-Origin";

    private Subjects() {
    }

    /** {@code pi4.lan} becomes {@code pi4_lan}. */
    public static String token(String node) {
        return node.replace('.', '_');
    }

    /** The subject of an event of {@code node} (the event's own node, from its path) and {@code type}. */
    public static String subject(String node, String type) {
        return PREFIX + "." + token(node) + "." + type;
    }

    /** The subject of {@code node}'s audit public key (PEM). */
    public static String keySubject(String node) {
        return AUDIT_PREFIX + "." + token(node) + ".key";
    }

    /** The filter of a consumer: every event, or the events of the given nodes. */
    public static List<String> filters(List<String> nodes) {
        return nodes.isEmpty() ? List.of(ALL) : nodes.stream().map(n -> PREFIX + "." + token(n) + ".>").toList();
    }

    /** The default durable consumer of a node. */
    public static String consumerName(String node) {
        return "homelab-" + token(node);
    }
}
