package dev.homelab.events.mcp;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.CompletionResponse;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.PromptCompletionManager;
import io.quarkiverse.mcp.server.PromptManager;
import io.quarkiverse.mcp.server.PromptMessage;
import io.quarkiverse.mcp.server.PromptResponse;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkiverse.mcp.server.stdio.runtime.StdioMcpMessageHandler;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import dev.homelab.events.ConflictException;
import dev.homelab.events.ExactNumber;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.service.StatusViews;

/**
 * The MCP face: registers the catalog's tools and the prompts (with completions) with quarkus-mcp-server's
 * programmatic API. Registration is programmatic (not @Tool methods) so the published inputSchema is exactly the
 * catalog's, byte for byte the same as the function-calling parameters. This class only converts; the rules are
 * on the service side, reached through the catalog.
 */
@ApplicationScoped
public class McpFeatures {

    private static final Logger LOG = Logger.getLogger(McpFeatures.class);
    private static final int COMPLETION_MAX = 100;

    @Inject
    ToolCatalog catalog;
    @Inject
    StatusViews status;
    @Inject
    PromptLibrary prompts;
    @Inject
    ObjectMapper mapper;
    @Inject
    ToolManager toolManager;
    @Inject
    PromptManager promptManager;
    @Inject
    PromptCompletionManager promptCompletions;

    @ConfigProperty(name = "quarkus.mcp.server.stdio.enabled", defaultValue = "false")
    boolean stdioEnabled;
    @ConfigProperty(name = "quarkus.mcp.server.stdio.null-system-out", defaultValue = "true")
    boolean stdioNullSystemOut;
    @Inject
    Instance<StdioMcpMessageHandler> stdio;
    @Inject
    McpStdio mcpStdio;

    /**
     * Runs after the index is built (IndexRefresher, APPLICATION) and the demo data (APPLICATION + 600), so a
     * client never sees an empty catalog or a half-built index.
     */
    void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 700) StartupEvent ev) {
        for (ToolCatalog.Tool t : catalog.visible()) {
            ToolManager.ToolDefinition tool = toolManager.newTool(t.name());
            if (t.appUri() != null) {
                tool.setMetadata(McpApps.toolMeta(t.appUri())); // MCP Apps: the view that renders this tool's result
            }
            tool
                    .setTitle(t.title())
                    .setDescription(t.description())
                    .setInputSchema(json(t.inputSchema()))
                    .setOutputSchema(json(t.outputSchema()))
                    // append-only writes are not destructive; nothing here reaches outside the homelab store
                    .setAnnotations(new ToolManager.ToolAnnotations(t.title(), t.readOnly(), false, t.readOnly(), false))
                    .setHandler(args -> callTool(t, args.args()))
                    .register();
        }
        for (PromptLibrary.Prompt p : prompts.mcpPrompts()) {
            PromptManager.PromptDefinition def = promptManager.newPrompt(p.name()).setDescription(p.description());
            for (PromptLibrary.Argument arg : p.arguments()) {
                def.addArgument(arg.name(), arg.description(), true);
            }
            def.setHandler(a -> {
                try {
                    return PromptResponse.withMessages(PromptMessage.withUserRole(p.render(a.args())));
                } catch (InvalidInputException e) {
                    throw new McpException(e.getMessage(), JsonRpcErrorCodes.INVALID_PARAMS);
                }
            }).register();
            for (PromptLibrary.Argument arg : p.arguments()) {
                if (arg.name().equals("correlation_id")) {
                    promptCompletions.newCompletion(p.name()).setArgumentName(arg.name())
                            .setHandler(a -> complete(status.correlationIds(), a.argumentValue())).register();
                } else if (arg.name().equals("service")) {
                    promptCompletions.newCompletion(p.name()).setArgumentName(arg.name())
                            .setHandler(a -> complete(status.serviceNames(), a.argumentValue())).register();
                }
            }
        }
        startStdio();
        LOG.debugf("MCP: %s tools registered (read-only mode: %s)", (Object) catalog.visible().size(), catalog.readOnlyMode());
    }

    /**
     * The stdio transport starts here, not at the extension's own (earlier) point: it begins answering as soon
     * as it starts, and a desktop agent lists tools right after initialize, before StartupEvent observers ran,
     * so it saw an empty catalog. quarkus.mcp.server.stdio.initialization-enabled=false hands the start to us;
     * {@link McpStdio} then reads standard input itself, in front of the library.
     */
    private void startStdio() {
        if (!stdioEnabled) {
            return;
        }
        try {
            mcpStdio.start(stdio.get(), stdioNullSystemOut);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the MCP stdio transport", e);
        }
    }

    /** Runs a tool; the service's exceptions become isError results with the message, never a stack trace. */
    ToolResponse callTool(ToolCatalog.Tool t, Map<String, Object> args) {
        Outcome o = run(t, args);
        // structuredContent for current clients, the same JSON as text for older ones
        return o.error()
                ? ToolResponse.error(o.text())
                : new ToolResponse(false, List.of(new TextContent(o.text())), new JsonObject(structured(o)), null);
    }

    /** The same call as a 2026-07-28 CallToolResult ({@link McpModern}): identical content, identical errors. */
    Map<String, Object> toolResult(ToolCatalog.Tool t, Map<String, Object> args) {
        Outcome o = run(t, args);
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("content", List.of(Map.of("type", "text", "text", o.text())));
        if (o.error()) {
            r.put("isError", true);
        } else {
            r.put("structuredContent", structured(o));
        }
        return r;
    }

    /** A tool's answer: its result as JSON text and the result itself, or the message of an isError result. */
    private record Outcome(boolean error, String text, Object result) {
        Outcome(boolean error, String text) {
            this(error, text, null);
        }
    }

    /**
     * The result as the untyped map its JSON text parses into, without parsing the text: the mapper's conversion
     * keeps numbers exactly as its reader does (ExactJson), as McpModern's arguments rely on too.
     */
    private Map<String, Object> structured(Outcome o) {
        return mapper.convertValue(o.result(), UNTYPED_MAP);
    }

    private static final TypeReference<Map<String, Object>> UNTYPED_MAP = new TypeReference<>() {
    };

    private Outcome run(ToolCatalog.Tool t, Map<String, Object> args) {
        try {
            Object result = catalog.call(t, arguments(args));
            return new Outcome(false, mapper.writeValueAsString(result), result);
        } catch (InvalidInputException e) {
            return new Outcome(true, "Invalid arguments: " + e.getMessage());
        } catch (NotFoundException e) {
            return new Outcome(true, "Not found: " + e.getMessage());
        } catch (ConflictException e) {
            return new Outcome(true, "Conflict: " + e.getMessage());
        } catch (StoreUnavailableException e) {
            return new Outcome(true, "Store unavailable: " + e.getMessage());
        } catch (JsonProcessingException e) {
            return new Outcome(true, "Invalid arguments: not valid JSON");
        } catch (RuntimeException e) {
            LOG.errorf(e, "Tool %s failed", t.name());
            return new Outcome(true, "Internal error in " + t.name() + "; the server log has the details");
        }
    }

    /**
     * The decoded arguments as a tree, converted by the mapper (no text in between; ~6% of an MCP write's CPU went
     * to encoding them and parsing them back, together with parsing the result's text again). The library decodes
     * plain maps, lists and the scalars of ExactJson's reader; anything else still goes through JSON text.
     */
    private JsonNode arguments(Map<String, Object> args) throws JsonProcessingException {
        return plain(args)
                ? mapper.valueToTree(args)
                : mapper.readTree(Json.encode(args));
    }

    private static boolean plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof BigInteger || v instanceof Double || v instanceof ExactNumber) {
            return true;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !plain(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof List<?> l) {
            for (Object x : l) {
                if (!plain(x)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static JsonObject json(Object jacksonNode) {
        return new JsonObject(jacksonNode.toString());
    }

    static CompletionResponse complete(List<String> values, String prefix) {
        String p = prefix == null ? "" : prefix;
        List<String> matching = values.stream().filter(v -> v.startsWith(p)).toList();
        return new CompletionResponse(matching.stream().limit(COMPLETION_MAX).toList(), matching.size(),
                matching.size() > COMPLETION_MAX);
    }
}
