package dev.homelab.events.mcp;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkiverse.mcp.server.PromptManager;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ToolManager;

/**
 * Bounds the tags of quarkus-mcp-server's request timers ({@code mcp.server.requests.*}). 1.10.1 tags each timer
 * with the {@code tool.name}, {@code prompt.name} or {@code resource.uri} the client sent, so every made-up tool
 * name, and every event read as {@code homelab://events/{id}}, created a timer that was never removed: the meter
 * registry (and /q/metrics) grew with the requests until the heap was full (found by McpSessionSoakIT). Here a
 * name the server does not know becomes {@code unknown}, an event or chain URI its template, any other URI that is
 * not a registered resource {@code other}: as many timers as the server has tools, prompts and resources.
 */
@Singleton
public class McpMetricsTags implements MeterFilter {

    static final String PREFIX = "mcp.server.requests.";
    static final String UNKNOWN = "unknown";

    @Inject
    ToolManager tools;
    @Inject
    PromptManager prompts;
    @Inject
    ResourceManager resources;

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(PREFIX)) {
            return id;
        }
        List<Tag> tags = new ArrayList<>();
        boolean changed = false;
        for (Tag t : id.getTagsAsIterable()) {
            String bounded = bounded(t.getKey(), t.getValue());
            changed |= !bounded.equals(t.getValue());
            tags.add(Tag.of(t.getKey(), bounded));
        }
        return changed ? id.replaceTags(tags) : id;
    }

    /** The value a tag keeps: itself when it names something the server has, else its template or a fixed word. */
    String bounded(String key, String value) {
        switch (key) {
            case "tool.name" :
                return tools.getTool(value) != null ? value : UNKNOWN;
            case "prompt.name" :
                return prompts.getPrompt(value) != null ? value : UNKNOWN;
            case "resource.uri" :
                if (value.startsWith(McpSubscriptions.EVENTS)) {
                    return McpFront.EVENT_TEMPLATE;
                }
                if (value.startsWith(McpSubscriptions.CHAINS)) {
                    return McpSubscriptions.CHAINS + "{correlation_id}";
                }
                return resources.getResource(value) != null ? value : "other";
            default :
                return value;
        }
    }
}
