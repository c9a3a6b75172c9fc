package dev.homelab.events.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Bounds of the MCP face ({@code homelab.mcp.*}, or HOMELAB_MCP_* environment variables): how many sessions it
 * keeps, how much each may hold, and whether the conformance fixtures are registered. Idle sessions expire after
 * {@code quarkus.mcp.server.connection-idle-timeout}.
 */
@ConfigMapping(prefix = "homelab.mcp")
public interface McpConfig {

    /** Most MCP sessions (Streamable HTTP and legacy SSE together) kept at once; initialize answers 503 beyond (HOMELAB_MCP_MAX_SESSIONS). */
    @WithName("max-sessions")
    @WithDefault("200")
    int maxSessions();

    /** Largest accepted {@code initialize} params (clientInfo, capabilities) in bytes of compact JSON (HOMELAB_MCP_MAX_INITIALIZE_BYTES). */
    @WithName("max-initialize-bytes")
    @WithDefault("8192")
    int maxInitializeBytes();

    /** Most GET event streams open at once per Streamable HTTP session (HOMELAB_MCP_MAX_STREAMS_PER_SESSION). */
    @WithName("max-streams-per-session")
    @WithDefault("4")
    int maxStreamsPerSession();

    /** Most resource subscriptions per session (HOMELAB_MCP_MAX_SUBSCRIPTIONS_PER_SESSION). */
    @WithName("max-subscriptions-per-session")
    @WithDefault("64")
    int maxSubscriptionsPerSession();

    /**
     * Registers the fixture tools, resources and prompts of the reference "everything" server beside the real
     * catalog, for the official conformance suite only (HOMELAB_MCP_CONFORMANCE). Never on in a real deployment.
     */
    @WithDefault("false")
    boolean conformance();
}
