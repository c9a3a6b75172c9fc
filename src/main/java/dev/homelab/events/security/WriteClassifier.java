package dev.homelab.events.security;

import java.util.Set;

/**
 * Decides whether a request changes the store and so needs the bearer token. It fails closed: every
 * non-safe HTTP method is a write, except {@code POST /api/tools/{name}} (function calling), where reads travel
 * in a POST body: there only tools known to be read-only, by the name in the path, pass without a token. MCP is not
 * classified at all: when a token is set, every MCP request needs it ({@link HttpGuard}).
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
}
