package dev.homelab.events.mcp;

import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Which MCP era a message belongs to, and what the 2026-07-28 era promises on the wire: its revisions, the
 * {@code _meta} keys every request carries, its error codes and the HTTP status of each answer. The transports
 * ({@link McpHttpFront}, {@link McpStdio}) ask here before they hand a message to {@link McpModern} (2026-07-28) or to
 * {@link McpFront} and the library (2025-11-25 and older).
 */
public final class McpEra {
    private McpEra() {
    }

    /** The modern revisions served, newest first. */
    public static final List<String> VERSIONS = List.of("2026-07-28");
    /** Revision identifiers are ISO dates: this one and every later one belong to the stateless era. */
    public static final String FIRST_MODERN = "2026-07-28";

    public static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    public static final String META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
    public static final String LISTEN = "subscriptions/listen";

    /** Unsupported protocol version (2026-07-28 schema); data carries {@code supported} and {@code requested}. */
    public static final int UNSUPPORTED_VERSION = -32022;
    /** A standard header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) that disagrees with the body. */
    public static final int HEADER_MISMATCH = -32020;

    /**
     * True when a message is of the 2026-07-28 era: it claims a protocol version in {@code params._meta} (every
     * request and notification of a 2026 client does, {@code server/discover} included), or it is a
     * {@code server/discover}, which no 2025 revision has. A 2025 message never carries the claim.
     */
    public static boolean isModern(JsonNode msg) {
        if (msg == null || !msg.isObject()) {
            return false;
        }
        JsonNode meta = msg.path("params").path("_meta");
        return meta.has(META_VERSION) || "server/discover".equals(msg.path("method").asText(null));
    }

    /** Whether a revision (an MCP-Protocol-Version header, say) is of the stateless era. */
    public static boolean isModernVersion(String v) {
        return v != null && v.compareTo(FIRST_MODERN) >= 0;
    }

    /**
     * The HTTP status of a 2026-07-28 answer: the request was refused before it ran (a bad envelope, an
     * unsupported version: 400; a method this revision does not have: 404), else 200, errors of the method
     * itself included.
     */
    public static int httpStatus(ObjectNode answer) {
        JsonNode error = answer.get("error");
        if (error == null) {
            return 200;
        }
        int code = error.path("code").asInt(0);
        if (code == McpFront.METHOD_NOT_FOUND) {
            return 404;
        }
        if (code == UNSUPPORTED_VERSION || code == HEADER_MISMATCH || code == McpFront.INVALID_REQUEST
                || error.path("data").path("envelope").asBoolean(false)) {
            return 400;
        }
        return code == McpFront.SERVER_BUSY ? 503 : 200;
    }

    /** Every version served on this endpoint, newest first: the modern ones, then those of initialize. */
    public static List<String> supported() {
        return Stream.concat(VERSIONS.stream(), McpFront.SUPPORTED_VERSIONS.stream()).toList();
    }
}
