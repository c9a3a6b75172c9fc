package dev.homelab.events.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.CompleteResourceTemplate;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.RequestUri;
import io.quarkiverse.mcp.server.ResourceTemplate;
import io.quarkiverse.mcp.server.TextResourceContents;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.StatusViews;

/**
 * Events and chains as MCP resource templates, in full (no payload budget: a client reads a resource on
 * purpose). Declared with annotations rather than the programmatic API because in quarkus-mcp-server 1.10.1
 * completions of programmatically registered templates are looked up by URI but registered by name, so they
 * can never be found.
 */
public class McpResources {

    @Inject
    EventService events;
    @Inject
    StatusViews status;
    @Inject
    ObjectMapper mapper;

    @ResourceTemplate(name = "event", title = "Event", uriTemplate = "homelab://events/{id}", mimeType = "application/json", description = "One event in full, payload not truncated")
    TextResourceContents event(String id, RequestUri uri) {
        return read(uri, () -> events.get(id));
    }

    @ResourceTemplate(name = "chain", title = "Causal chain", uriTemplate = "homelab://chains/{correlation_id}", mimeType = "application/json", description = "All events of one correlation id in full, oldest first")
    TextResourceContents chain(String correlation_id, RequestUri uri) {
        return read(uri, () -> chain(events, correlation_id));
    }

    /** The content of {@code homelab://chains/{correlation_id}}, in both protocol eras. */
    static Map<String, Object> chain(EventService events, String correlationId) {
        Map<String, Object> chain = new LinkedHashMap<>();
        chain.put("correlation_id", correlationId);
        chain.put("events", events.chain(correlationId));
        return chain;
    }

    @CompleteResourceTemplate("chain")
    List<String> completeCorrelationId(String correlation_id) {
        return McpFeatures.complete(status.correlationIds(), correlation_id).values();
    }

    private TextResourceContents read(RequestUri uri, Supplier<Object> value) {
        try {
            return new TextResourceContents(uri.value(), mapper.writeValueAsString(value.get()), "application/json");
        } catch (NotFoundException e) {
            throw new McpException("Not found: " + e.getMessage(), JsonRpcErrorCodes.RESOURCE_NOT_FOUND);
        } catch (InvalidInputException e) {
            throw new McpException("Invalid resource URI: " + e.getMessage(), JsonRpcErrorCodes.INVALID_PARAMS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event could not be serialized", e);
        }
    }
}
