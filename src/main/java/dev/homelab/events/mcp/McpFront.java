package dev.homelab.events.mcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.mcp.server.ClientCapability;
import io.quarkiverse.mcp.server.FeatureManager;
import io.quarkiverse.mcp.server.Implementation;
import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.McpServer;
import io.quarkiverse.mcp.server.PromptManager;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.runtime.config.McpServersRuntimeConfig;

import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Text;
import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.config.McpConfig;

/**
 * Our side of the MCP protocol, in front of quarkus-mcp-server 1.10.1 on every transport (HTTP in
 * {@link McpHttpFront}, stdio in {@link McpStdio}). It looks at each JSON-RPC message before the library does and
 * either lets it through or answers it itself, where the library would hang, fail with -32603, log an ERROR or
 * answer wrongly:
 * <ul>
 * <li>{@code tools/call} and {@code prompts/get} without a string {@code name}: 1.10.1 throws inside its
 * handler and never answers. Here: -32602 at once.</li>
 * <li>{@code arguments} that is not an object: 1.10.1 throws a ClassCastException, -32603. Here: -32602.</li>
 * <li>a tool argument set to {@code null}: 1.10.1 copies the arguments with {@code Map.copyOf}, which throws on
 * null values, -32603 and an ERROR stack trace. Here: an isError result naming the argument, as for any bad
 * argument.</li>
 * <li>{@code params} that is not an object, and methods whose required params are missing
 * (logging/setLevel, completion/complete, resources/read): 1.10.1 throws. Here: -32602.</li>
 * <li>{@code initialize}: answered here, so the capabilities say what the server does ({@code resources.subscribe},
 * which 1.10.1 never advertises), the params are bounded ({@link McpConfig#maxInitializeBytes()}) and the session
 * count is capped by the transport.</li>
 * <li>{@code resources/subscribe}, {@code resources/unsubscribe}: 1.10.1 only knows fixed resources and throws for
 * a template URI, so the client waits for its timeout. Here: {@link McpSubscriptions}.</li>
 * <li>completion of {@code homelab://events/{id}}: 1.10.1 answers -32602 with its internal key
 * ({@code ..._id}). Ids are not completed, so the answer is an empty completion.</li>
 * </ul>
 * Every answer here is logged at DEBUG at most: a client's mistake is not a server error.
 */
@ApplicationScoped
public class McpFront {

    private static final Logger LOG = Logger.getLogger(McpFront.class);

    /** Newest first; the same list as quarkus-mcp-server 1.10.1 negotiates. */
    public static final List<String> SUPPORTED_VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
    /** The first revision without JSON-RPC batches. */
    static final String NO_BATCHES_SINCE = "2025-06-18";

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    /** Implementation-defined server error: used for "too many sessions". */
    public static final int SERVER_BUSY = -32000;

    static final String EVENT_TEMPLATE = "homelab://events/{id}";

    /** What the front decided for one message. */
    public sealed interface Decision {
    }

    /** Hand the message to quarkus-mcp-server unchanged. */
    public record Pass() implements Decision {
    }

    /** Answer with this message (null: a notification, nothing to answer). */
    public record Reply(ObjectNode message) implements Decision {
    }

    /** An {@code initialize} to carry out: the transport creates or initializes the session, then answers {@link #initializeResult}. */
    public record Initialize(JsonNode id, InitialRequest request) implements Decision {
    }

    static final Pass PASS = new Pass();

    @Inject
    ObjectMapper mapper;
    @Inject
    ToolCatalog catalog;
    @Inject
    McpSubscriptions subscriptions;
    @Inject
    McpConfig config;
    @Inject
    ToolManager toolManager;
    @Inject
    PromptManager promptManager;
    @Inject
    McpServersRuntimeConfig serverConfig;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    /**
     * Decides about one message (an element of a batch too) of the session {@code sessionId} (null before
     * initialize) on a transport.
     */
    public Decision decide(JsonNode msg, String sessionId, InitialRequest.Transport transport) {
        if (msg == null || !msg.isObject()) {
            return reply(error(null, INVALID_REQUEST, "Invalid Request: a JSON-RPC message is a JSON object"));
        }
        JsonNode id = msg.get("id");
        JsonNode methodNode = msg.get("method");
        if (methodNode == null) {
            return PASS; // a response to a request of the server
        }
        if (!methodNode.isTextual()) {
            return reply(error(id, INVALID_REQUEST, "Invalid Request: 'method' must be a string"));
        }
        String method = methodNode.textValue();
        boolean notification = id == null;
        JsonNode params = msg.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            return invalidParams(id, notification, method, "'params' must be an object");
        }
        ObjectNode p = params != null && params.isObject() ? (ObjectNode) params : null;
        return switch (method) {
            case "initialize" -> initialize(id, p, transport);
            case "tools/call" -> toolsCall(id, notification, p);
            case "prompts/get" -> promptsGet(id, notification, p);
            case "resources/read" -> requireString(id, notification, method, p, "uri");
            case "resources/subscribe", "resources/unsubscribe" -> subscription(id, notification, method, p, sessionId);
            case "completion/complete" -> complete(id, notification, p);
            case "logging/setLevel" -> requireString(id, notification, method, p, "level");
            case "tools/list" -> list(id, notification, method, p, "tools", toolManager);
            case "prompts/list" -> list(id, notification, method, p, "prompts", promptManager);
            default -> PASS;
        };
    }

    private Decision initialize(JsonNode id, ObjectNode p, InitialRequest.Transport transport) {
        if (p == null) {
            return reply(error(id, INVALID_PARAMS, "Invalid params: initialize needs params with protocolVersion, "
                    + "capabilities and clientInfo"));
        }
        int size = compactSize(p);
        if (size > config.maxInitializeBytes()) {
            LOG.debugf("MCP initialize refused: params of %d bytes", size);
            return reply(error(id, INVALID_PARAMS, "Invalid params: initialize params are " + size + " bytes; at most "
                    + config.maxInitializeBytes() + " are kept per session (homelab.mcp.max-initialize-bytes)"));
        }
        JsonNode info = p.get("clientInfo");
        JsonNode requested = p.get("protocolVersion");
        if (info == null || !info.isObject() || requested == null || !requested.isTextual() || text(info, "name") == null
                || text(info, "version") == null) {
            return reply(error(id, INVALID_PARAMS, "Invalid params: initialize needs a string 'protocolVersion' and a "
                    + "'clientInfo' object with string 'name' and 'version'"));
        }
        String negotiated = SUPPORTED_VERSIONS.contains(requested.textValue())
                ? requested.textValue()
                : SUPPORTED_VERSIONS.get(0);
        List<ClientCapability> caps = new ArrayList<>();
        JsonNode capabilities = p.get("capabilities");
        if (capabilities != null && capabilities.isObject()) {
            capabilities.fieldNames().forEachRemaining(n -> caps.add(new ClientCapability(n, Map.of())));
        }
        Implementation impl = new Implementation(text(info, "name"), text(info, "version"), text(info, "title"), List.of(),
                null, null);
        return new Initialize(id, new InitialRequest(impl, negotiated, List.copyOf(caps), transport));
    }

    /** The answer to an initialize: what this server speaks and offers. */
    public ObjectNode initializeResult(JsonNode id, String protocolVersion) {
        ObjectNode result = mapper.createObjectNode().put("protocolVersion", protocolVersion);
        ObjectNode caps = result.putObject("capabilities");
        caps.putObject("tools").put("listChanged", true);
        caps.putObject("prompts").put("listChanged", true);
        caps.putObject("resources").put("subscribe", true);
        caps.putObject("completions");
        caps.putObject("logging");
        var info = serverConfig.servers().get(McpServer.DEFAULT).serverInfo();
        String name = info.name().orElse("homelab-events");
        result.putObject("serverInfo").put("name", name).put("title", info.title().orElse("Homelab events"))
                .put("version", version);
        info.instructions().ifPresent(i -> result.put("instructions", i));
        return result(id, result);
    }

    /**
     * tools/list and prompts/list from the library's own registrations, without the empty {@code icons} list that
     * 1.10.1 adds to every programmatically registered tool and prompt. One page: the catalog is small.
     */
    private Decision list(JsonNode id, boolean notification, String method, ObjectNode p, String field,
            Iterable<? extends FeatureManager.FeatureInfo> infos) {
        if (p != null && p.hasNonNull("cursor")) {
            return invalidParams(id, notification, method, "unknown cursor (this list has a single page)");
        }
        return notification ? reply(null) : reply(result(id, listResult(field, infos)));
    }

    /** The result of tools/list or prompts/list (both protocol eras): the registrations, compacted. */
    ObjectNode listResult(String field, Iterable<? extends FeatureManager.FeatureInfo> infos) {
        ObjectNode result = mapper.createObjectNode();
        var array = result.putArray(field);
        for (FeatureManager.FeatureInfo info : infos) {
            try {
                ObjectNode item = (ObjectNode) mapper.readTree(info.asJson().encode());
                JsonNode icons = item.get("icons");
                if (icons != null && icons.isArray() && icons.isEmpty()) {
                    item.remove("icons");
                }
                compactAnnotations(item);
                array.add(item);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return result;
    }

    /**
     * Tool annotations without what says nothing: 1.10.1 always writes all five, the title again included. Left
     * out: a title equal to the tool's, hints equal to the specification's defaults (readOnlyHint false,
     * idempotentHint false), and for a read-only tool destructiveHint and idempotentHint, which the specification
     * calls meaningful only when readOnlyHint is false. Every tools/list costs a model context.
     */
    private static void compactAnnotations(ObjectNode tool) {
        if (!(tool.get("annotations") instanceof ObjectNode a)) {
            return;
        }
        if (a.path("title").isNull() || a.path("title").asText().equals(tool.path("title").asText(null))) {
            a.remove("title");
        }
        for (String hint : List.of("readOnlyHint", "idempotentHint")) {
            if (a.has(hint) && !a.get(hint).asBoolean()) {
                a.remove(hint);
            }
        }
        if (a.path("readOnlyHint").asBoolean(false)) {
            a.remove(List.of("destructiveHint", "idempotentHint"));
        }
    }

    private Decision toolsCall(JsonNode id, boolean notification, ObjectNode p) {
        JsonNode name = p == null ? null : p.get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return invalidParams(id, notification, "tools/call", "'name' (the tool to call) is required and must be a string");
        }
        JsonNode args = p.get("arguments");
        if (args == null || args.isNull()) {
            return PASS;
        }
        if (!args.isObject()) {
            return invalidParams(id, notification, "tools/call", "'arguments' must be an object of the tool's arguments, not "
                    + args.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        if (catalog.find(name.textValue()).isEmpty()) {
            return PASS; // an unknown tool is the library's "Invalid tool name"
        }
        ObjectNode refused = nullArguments(id, name.textValue(), args);
        if (refused == null) {
            return PASS;
        }
        return notification ? reply(null) : reply(refused);
    }

    /**
     * The isError result for tool arguments set to null (both protocol eras), or null when there are none: MCP
     * keeps to the schema, where an optional argument is omitted, never null.
     */
    ObjectNode nullArguments(JsonNode id, String tool, JsonNode args) {
        if (args == null || !args.isObject()) {
            return null;
        }
        List<FieldError> nulls = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : args.properties()) {
            if (e.getValue().isNull()) {
                nulls.add(new FieldError(Text.echo(e.getKey(), 64), null,
                        "must not be null; omit an optional argument to use its default"));
            }
        }
        if (nulls.isEmpty()) {
            return null;
        }
        LOG.debugf("MCP tools/call %s refused: null arguments", tool);
        return toolError(id, "Invalid arguments: " + new InvalidInputException(nulls).getMessage());
    }

    private Decision promptsGet(JsonNode id, boolean notification, ObjectNode p) {
        JsonNode name = p == null ? null : p.get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return invalidParams(id, notification, "prompts/get", "'name' (the prompt) is required and must be a string");
        }
        JsonNode args = p.get("arguments");
        if (args != null && !args.isNull()) {
            if (!args.isObject()) {
                return invalidParams(id, notification, "prompts/get", "'arguments' must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> e : args.properties()) {
                if (!e.getValue().isTextual()) {
                    return invalidParams(id, notification, "prompts/get", "argument '" + Text.echo(e.getKey(), 64)
                            + "' must be a string");
                }
            }
        }
        return PASS;
    }

    private Decision subscription(JsonNode id, boolean notification, String method, ObjectNode p, String sessionId) {
        JsonNode uri = p == null ? null : p.get("uri");
        if (uri == null || !uri.isTextual()) {
            return invalidParams(id, notification, method, "'uri' is required and must be a string");
        }
        if (sessionId == null) {
            return reply(error(id, INVALID_REQUEST, "Invalid Request: initialize first"));
        }
        try {
            if (method.equals("resources/subscribe")) {
                subscriptions.subscribe(sessionId, uri.textValue());
            } else {
                subscriptions.unsubscribe(sessionId, uri.textValue());
            }
        } catch (InvalidInputException e) {
            return invalidParams(id, notification, method, e.getMessage());
        }
        return notification ? reply(null) : reply(result(id, mapper.createObjectNode()));
    }

    private Decision complete(JsonNode id, boolean notification, ObjectNode p) {
        JsonNode ref = p == null ? null : p.get("ref");
        JsonNode argument = p == null ? null : p.get("argument");
        if (ref == null || !ref.isObject() || !ref.path("type").isTextual() || argument == null || !argument.isObject()
                || !argument.path("name").isTextual()) {
            return invalidParams(id, notification, "completion/complete", "'ref' (with 'type') and 'argument' (with "
                    + "'name' and 'value') are required");
        }
        if (ref.path("type").textValue().equals("ref/resource") && EVENT_TEMPLATE.equals(ref.path("uri").asText(null))) {
            // event ids are UUIDs nobody types: nothing to complete (1.10.1 answers -32602 with its internal key)
            ObjectNode result = mapper.createObjectNode();
            result.putObject("completion").put("total", 0).put("hasMore", false).putArray("values");
            return notification ? reply(null) : reply(result(id, result));
        }
        return PASS;
    }

    private Decision requireString(JsonNode id, boolean notification, String method, ObjectNode p, String field) {
        JsonNode v = p == null ? null : p.get(field);
        if (v == null || !v.isTextual()) {
            return invalidParams(id, notification, method, "'" + field + "' is required and must be a string");
        }
        return PASS;
    }

    private Decision invalidParams(JsonNode id, boolean notification, String method, String why) {
        LOG.debugf("MCP %s refused: %s", method, why);
        return notification ? reply(null) : reply(error(id, INVALID_PARAMS, "Invalid params for " + method + ": " + why));
    }

    private static Reply reply(ObjectNode message) {
        return new Reply(message);
    }

    /** A JSON-RPC error response. */
    public ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode m = mapper.createObjectNode().put("jsonrpc", "2.0");
        m.set("id", id == null ? mapper.nullNode() : id);
        m.putObject("error").put("code", code).put("message", message);
        return m;
    }

    /** A JSON-RPC result response. */
    public ObjectNode result(JsonNode id, ObjectNode result) {
        ObjectNode m = mapper.createObjectNode().put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result);
        return m;
    }

    private ObjectNode toolError(JsonNode id, String text) {
        ObjectNode r = mapper.createObjectNode();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        r.put("isError", true);
        return result(id, r);
    }

    /** True when a session of this negotiated version may send JSON-RPC batches (only before 2025-06-18). */
    public static boolean batchesAllowed(String negotiatedVersion) {
        return negotiatedVersion != null && negotiatedVersion.compareTo(NO_BATCHES_SINCE) < 0;
    }

    public byte[] bytes(JsonNode message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String string(JsonNode message) {
        return new String(bytes(message), StandardCharsets.UTF_8);
    }

    private int compactSize(JsonNode n) {
        return bytes(n).length;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}
