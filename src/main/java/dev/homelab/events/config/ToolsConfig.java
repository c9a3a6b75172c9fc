package dev.homelab.events.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The agent tool catalog ({@code homelab.tools.*}, or HOMELAB_TOOLS_* environment variables). */
@ConfigMapping(prefix = "homelab.tools")
public interface ToolsConfig {

    /** Hide and refuse the write tools (emit_event, record_remediation, sync_now) on MCP, function calling and LangChain4j (HOMELAB_TOOLS_READ_ONLY). */
    @WithName("read-only")
    @WithDefault("false")
    boolean readOnly();

    /** Payloads larger than this many bytes of compact JSON are cut in tool results, flagged payload_truncated (HOMELAB_TOOLS_PAYLOAD_BUDGET_BYTES). */
    @WithName("payload-budget-bytes")
    @WithDefault("2048")
    int payloadBudgetBytes();

    /**
     * The payload budget of each event inside a list (list_events, the events of get_causal_chain), where many events
     * share one answer; get_event uses {@link #payloadBudgetBytes()} (HOMELAB_TOOLS_LIST_PAYLOAD_BUDGET_BYTES).
     */
    @WithName("list-payload-budget-bytes")
    @WithDefault("256")
    int listPayloadBudgetBytes();
}
