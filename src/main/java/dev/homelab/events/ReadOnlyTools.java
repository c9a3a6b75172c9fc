package dev.homelab.events;

import java.util.Set;

/**
 * Which tools only read. The tool catalog knows (the same flag that sets MCP's readOnlyHint) and implements this;
 * the HTTP guard asks it to decide which tool calls need the bearer token, without depending on the catalog, so
 * the security layer imports no face and no agent code. A tool not named here is treated as a write.
 */
public interface ReadOnlyTools {

    /** Names of the tools that change nothing, whatever the read-only mode. */
    Set<String> readOnlyToolNames();
}
