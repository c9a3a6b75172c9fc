package dev.homelab.events.security;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Decides whether a request changes the store and so needs the bearer token. It fails closed: every
 * non-safe HTTP method is a write, except the two places where reads travel in a POST body, and there only
 * tools known to be read-only are let through without a token:
 * <ul>
 * <li>{@code POST /api/tools/{name}} (function calling), by the tool name in the path;</li>
 * <li>{@code POST /mcp...} (Streamable HTTP and legacy SSE messages), by the JSON-RPC body: a
 * {@code tools/call} of a tool that is not read-only is a write; every other MCP method (initialize,
 * tools/list, resources/read, prompts/get, notifications) is protocol traffic or a read.</li>
 * </ul>
 * The read-only tools are those the tool catalog marks as reads (the same flag that sets MCP readOnlyHint), so
 * a tool added later is protected unless it is declared read-only there.
 */
public final class WriteClassifier {

    private final Set<String> readOnlyTools;

    public WriteClassifier(Set<String> readOnlyTools) {
        this.readOnlyTools = Set.copyOf(readOnlyTools);
    }

    private static final String TOOLS_PREFIX = "/api/tools/";

    public static boolean isSafeMethod(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    public static boolean isMcpPath(String path) {
        return path.equals("/mcp") || path.startsWith("/mcp/");
    }

    public static boolean isApiPath(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    /**
     * The peer export ({@code /api/sync/export}): a bulk read of every event file, meant for other nodes, so it needs
     * the token whenever one is configured, even when ordinary reads do not.
     */
    public static boolean isPeerExport(String path) {
        return path.equals(EXPORT) || path.startsWith(EXPORT + "/");
    }

    private static final String EXPORT = "/api/sync/export";

    /** The tool named by {@code POST /api/tools/{name}}, or null when the path is something else. */
    public static String functionToolName(String path) {
        if (!path.startsWith(TOOLS_PREFIX)) {
            return null;
        }
        String name = path.substring(TOOLS_PREFIX.length());
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.isEmpty() || name.indexOf('/') >= 0 ? null : name;
    }

    /** Whether a request that needs no body inspection is a write. */
    public boolean isWrite(String method, String path) {
        if (isSafeMethod(method)) {
            return false;
        }
        String tool = functionToolName(path);
        if (tool != null && method.equals("POST")) {
            return !readOnlyTools.contains(tool);
        }
        return true;
    }

    /**
     * Whether an MCP JSON-RPC message (an object, or a batch array of them) calls a tool that writes. A body
     * that is not such JSON is treated as a write, so a token is needed to send anything unrecognised.
     */
    public boolean mcpBodyWrites(JsonNode body) {
        if (body == null) {
            return true;
        }
        if (body.isArray()) {
            for (JsonNode message : body) {
                if (mcpMessageWrites(message)) {
                    return true;
                }
            }
            return body.isEmpty();
        }
        return mcpMessageWrites(body);
    }

    private boolean mcpMessageWrites(JsonNode message) {
        if (!message.isObject()) {
            return true;
        }
        JsonNode method = message.get("method");
        if (method == null || !method.isTextual()) {
            // a response to a server request (sampling, elicitation): carries no tool call
            return !(message.has("result") || message.has("error"));
        }
        if (!method.textValue().equals("tools/call")) {
            return false;
        }
        JsonNode params = message.get("params");
        JsonNode name = params == null ? null : params.get("name");
        return name == null || !name.isTextual() || !readOnlyTools.contains(name.textValue());
    }
}
