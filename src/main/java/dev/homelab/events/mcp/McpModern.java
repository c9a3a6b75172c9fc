package dev.homelab.events.mcp;

import static dev.homelab.events.mcp.McpEra.LISTEN;
import static dev.homelab.events.mcp.McpEra.META_CAPABILITIES;
import static dev.homelab.events.mcp.McpEra.META_SERVER_INFO;
import static dev.homelab.events.mcp.McpEra.META_SUBSCRIPTION;
import static dev.homelab.events.mcp.McpEra.META_VERSION;
import static dev.homelab.events.mcp.McpEra.UNSUPPORTED_VERSION;
import static dev.homelab.events.mcp.McpEra.VERSIONS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.mcp.server.McpServer;
import io.quarkiverse.mcp.server.PromptManager;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ResourceTemplateManager;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.runtime.config.McpServersRuntimeConfig;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.homelab.events.Text;
import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.StatusViews;

/**
 * MCP protocol revision 2026-07-28 (the stateless core: {@code server/discover}, no initialize and no session,
 * every request carrying its protocol version, client info and capabilities in {@code params._meta}), served from
 * the same catalog as 2025-11-25 beside quarkus-mcp-server 1.10.1, which knows only the 2025 revisions.
 * {@link McpHttpFront} and {@link McpStdio} hand a message here when {@link McpEra#isModern} says so; everything else
 * goes to {@link McpFront} and the library as before.
 * <p>
 * Each 2026-07-28 result is the 2025-11-25 result of the same method plus {@code resultType: "complete"} and the
 * server's identity in {@code _meta["io.modelcontextprotocol/serverInfo"]}; lists and reads also say how long a
 * client may cache them ({@code ttlMs}, {@code cacheScope}). Tools run through {@link McpFeatures#callTool}, so
 * both eras give the same results and the same error texts. Nothing here keeps state between requests: two
 * processes on one store answer alike, whichever gets the request.
 * <p>
 * Why this is our code and not the official Java SDK's modern server: docs/mcp.md, "The 2026-07-28 protocol".
 */
@ApplicationScoped
public class McpModern {

    private static final Logger LOG = Logger.getLogger(McpModern.class);

    private static final String EVENT_PREFIX = "homelab://events/";
    private static final String CHAIN_PREFIX = "homelab://chains/";
    private static final String CHAIN_TEMPLATE = "homelab://chains/{correlation_id}";

    @Inject
    ObjectMapper mapper;
    @Inject
    McpFront front;
    @Inject
    McpFeatures features;
    @Inject
    ToolCatalog catalog;
    @Inject
    PromptLibrary prompts;
    @Inject
    EventService events;
    @Inject
    StatusViews status;
    @Inject
    ToolManager toolManager;
    @Inject
    PromptManager promptManager;
    @Inject
    ResourceTemplateManager templateManager;
    @Inject
    ResourceManager resourceManager;
    @Inject
    McpApps apps;
    @Inject
    McpSubscriptions subscriptions;
    @Inject
    McpServersRuntimeConfig serverConfig;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    /**
     * The answer to one 2026-07-28 message, or null for a notification. Blocking: tools read and write the store,
     * so the HTTP side calls this off the event loop.
     */
    public ObjectNode handle(JsonNode msg) {
        JsonNode id = msg.get("id");
        JsonNode methodNode = msg.get("method");
        if (methodNode == null || !methodNode.isTextual()) {
            return id == null ? null : front.error(id, McpFront.INVALID_REQUEST, "Invalid Request: 'method' must be a string");
        }
        String method = methodNode.textValue();
        JsonNode params = msg.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            return id == null ? null : invalid(id, method, "'params' must be an object");
        }
        ObjectNode p = params instanceof ObjectNode o ? o : mapper.createObjectNode();
        if (id == null) {
            return null; // notifications (cancelled, progress): nothing to answer, nothing kept
        }
        ObjectNode refused = checkEnvelope(id, method, p.path("_meta"));
        if (refused != null) {
            return refused;
        }
        try {
            return switch (method) {
                case "server/discover" -> complete(id, discover());
                case "tools/list" -> listed(id, p, "tools", toolManager,
                        catalog.visible().stream().map(ToolCatalog.Tool::name).toList());
                case "tools/call" -> toolsCall(id, p);
                case "prompts/list" -> listed(id, p, "prompts", promptManager, PromptLibrary.MCP_PROMPTS);
                case "prompts/get" -> promptsGet(id, p);
                case "resources/list" -> listed(id, p, "resources", resourceManager, List.of(McpApps.CHAIN_RESOURCE));
                case "resources/templates/list" -> cacheable(id, templates());
                case "resources/read" -> read(id, p);
                case "completion/complete" -> completion(id, p);
                case LISTEN -> invalid(id, LISTEN, "a stream: the transport opens it (this is a bug if seen)");
                default -> front.error(id, McpFront.METHOD_NOT_FOUND, "Method not found: '" + Text.echo(method, 64)
                        + "' is not a method of protocol 2026-07-28 served here");
            };
        } catch (InvalidInputException e) {
            return invalid(id, method, e.getMessage());
        }
    }

    /**
     * A 2026-07-28 request must claim a served version and state its capabilities in {@code _meta}; a version
     * this server does not serve gets -32022 with the supported list, from which the client can fall back.
     */
    private ObjectNode checkEnvelope(JsonNode id, String method, JsonNode meta) {
        JsonNode v = meta.get(META_VERSION);
        if (v == null || !v.isTextual()) {
            return envelope(invalid(id, method, "a 2026-07-28 request carries '" + META_VERSION + "' and '"
                    + META_CAPABILITIES + "' in params._meta"));
        }
        if (!VERSIONS.contains(v.textValue())) {
            return unsupported(id, v.textValue(), VERSIONS);
        }
        if (!meta.path(META_CAPABILITIES).isObject()) {
            return envelope(invalid(id, method, "params._meta lacks the object '" + META_CAPABILITIES + "'"));
        }
        return null;
    }

    /** Marks an error as one of the envelope (answered with HTTP 400 before the method runs). */
    private static ObjectNode envelope(ObjectNode error) {
        ((ObjectNode) error.get("error")).putObject("data").put("envelope", true);
        return error;
    }

    /**
     * -32022 for a protocol version not served, with the versions a client of that era can use: a 2026-07-28
     * request (its {@code _meta} claims a version) gets those server/discover offers, a request named only by its
     * header every version of both eras.
     */
    public ObjectNode unsupported(JsonNode id, String requested, List<String> supported) {
        ObjectNode m = front.error(id, UNSUPPORTED_VERSION, "Unsupported protocol version '" + Text.echo(requested, 40)
                + "'; supported: " + String.join(", ", supported));
        ObjectNode data = ((ObjectNode) m.get("error")).putObject("data");
        supported.forEach(data.putArray("supported")::add);
        data.put("requested", Text.echo(requested, 40));
        return m;
    }

    private ObjectNode discover() {
        ObjectNode r = mapper.createObjectNode();
        VERSIONS.forEach(r.putArray("supportedVersions")::add);
        ObjectNode caps = r.putObject("capabilities");
        caps.putObject("tools");
        caps.putObject("prompts");
        // chains are watched through subscriptions/listen (the 2025 resources/subscribe needs a session)
        caps.putObject("resources").put("subscribe", true);
        caps.putObject("completions");
        serverConfig.servers().get(McpServer.DEFAULT).serverInfo().instructions()
                .ifPresent(i -> r.put("instructions", i));
        // the answer depends on nothing but this server's version: no client-specific content to keep private
        r.put("ttlMs", 0).put("cacheScope", "private");
        return r;
    }

    /** A {@code subscriptions/listen} request that passed its checks: the chains to watch. */
    public record Listen(JsonNode id, Set<String> uris) {
    }

    /**
     * Checks a {@code subscriptions/listen} request (envelope, filter, chain URIs, the cap of open streams): a
     * {@link Listen} to open, or the error response to send instead. Only {@code resourceSubscriptions} is
     * honoured: the tool, prompt and resource lists of this server never change while it runs, so there are no
     * list-changed notifications to ask for, and the acknowledgement says so.
     */
    public Object listen(JsonNode msg) {
        JsonNode id = msg.get("id");
        JsonNode params = msg.get("params");
        if (id == null) {
            return invalid(null, LISTEN, "subscriptions/listen is a request: it needs an id");
        }
        if (!(params instanceof ObjectNode p)) {
            return invalid(id, LISTEN, "params with 'notifications' are required");
        }
        ObjectNode refused = checkEnvelope(id, LISTEN, p.path("_meta"));
        if (refused != null) {
            return refused;
        }
        JsonNode filter = p.get("notifications");
        if (filter == null || !filter.isObject()) {
            return invalid(id, LISTEN, "'notifications' (the subscription filter) is required and must be an object");
        }
        JsonNode uris = filter.path("resourceSubscriptions");
        List<String> list = new ArrayList<>();
        if (!uris.isMissingNode() && !uris.isNull()) {
            if (!uris.isArray()) {
                return invalid(id, LISTEN, "'notifications.resourceSubscriptions' must be an array of URIs");
            }
            for (JsonNode u : uris) {
                if (!u.isTextual()) {
                    return invalid(id, LISTEN, "'notifications.resourceSubscriptions' must be an array of URIs");
                }
                list.add(u.textValue());
            }
        }
        try {
            Set<String> checked = subscriptions.checkListen(list);
            if (subscriptions.listenFull()) {
                return front.error(id, McpFront.SERVER_BUSY, "Server busy: the server holds its maximum of open listen "
                        + "streams (homelab.mcp.max-sessions); close one, or retry later");
            }
            return new Listen(id, checked);
        } catch (InvalidInputException e) {
            return invalid(id, LISTEN, e.getMessage());
        }
    }

    /** {@code notifications/subscriptions/acknowledged}: the first message of a listen stream, with what is honoured. */
    public ObjectNode acknowledged(Listen l) {
        ObjectNode note = mapper.createObjectNode().put("jsonrpc", "2.0").put("method",
                "notifications/subscriptions/acknowledged");
        ObjectNode params = note.putObject("params");
        ObjectNode honoured = params.putObject("notifications");
        honoured.put("toolsListChanged", false).put("promptsListChanged", false).put("resourcesListChanged", false);
        l.uris().forEach(honoured.putArray("resourceSubscriptions")::add);
        params.putObject("_meta").set(META_SUBSCRIPTION, l.id());
        return note;
    }

    /** The result that ends a listen stream gracefully (server shutdown). */
    public ObjectNode ended(Listen l) {
        ObjectNode r = mapper.createObjectNode();
        ObjectNode response = complete(l.id(), r);
        ((ObjectNode) r.get("_meta")).set(META_SUBSCRIPTION, l.id());
        return response;
    }

    /**
     * The library's registrations of what this face serves: the catalog's tools, the prompt library's prompts and
     * the MCP App's resource (the conformance fixtures, registered with the library in their test profile, are
     * served in the 2025 era only).
     */
    private ObjectNode listed(JsonNode id, ObjectNode p, String field,
            Iterable<? extends io.quarkiverse.mcp.server.FeatureManager.FeatureInfo> infos, List<String> served) {
        if (p.hasNonNull("cursor")) {
            return invalid(id, field + "/list", "unknown cursor (this list has a single page)");
        }
        ObjectNode result = front.listResult(field, infos);
        var items = result.withArray(field).elements();
        while (items.hasNext()) {
            if (!served.contains(items.next().path("name").asText())) {
                items.remove();
            }
        }
        return cacheable(id, result);
    }

    private ObjectNode toolsCall(JsonNode id, ObjectNode p) {
        String name = requireString(p, "name", "tools/call", "the tool to call");
        JsonNode args = p.get("arguments");
        if (args != null && !args.isNull() && !args.isObject()) {
            return invalid(id, "tools/call", "'arguments' must be an object of the tool's arguments");
        }
        ToolCatalog.Tool tool = catalog.find(name).orElse(null);
        if (tool == null) {
            return invalid(id, "tools/call", "no tool named '" + Text.echo(name, 64) + "'; tools: "
                    + String.join(", ", catalog.visible().stream().map(ToolCatalog.Tool::name).toList()));
        }
        ObjectNode nullArgs = front.nullArguments(id, name, args);
        if (nullArgs != null) {
            return stamp(nullArgs);
        }
        Map<String, Object> map = args == null || args.isNull()
                ? Map.of()
                : mapper.convertValue(args, mapper.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
                        Object.class));
        ObjectNode result = mapper.valueToTree(features.toolResult(tool, map));
        return complete(id, result);
    }

    private ObjectNode promptsGet(JsonNode id, ObjectNode p) {
        String name = requireString(p, "name", "prompts/get", "the prompt");
        PromptLibrary.Prompt prompt = prompts.mcpPrompts().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidInputException("name", name, "no prompt named so; prompts: "
                        + String.join(", ", PromptLibrary.MCP_PROMPTS)));
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode args = p.get("arguments");
        if (args != null && !args.isNull()) {
            if (!args.isObject()) {
                return invalid(id, "prompts/get", "'arguments' must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> e : args.properties()) {
                if (!e.getValue().isTextual()) {
                    return invalid(id, "prompts/get", "argument '" + Text.echo(e.getKey(), 64) + "' must be a string");
                }
                values.put(e.getKey(), e.getValue().textValue());
            }
        }
        ObjectNode r = mapper.createObjectNode();
        r.put("description", prompt.description());
        ObjectNode message = r.putArray("messages").addObject().put("role", "user");
        message.putObject("content").put("type", "text").put("text", prompt.render(values));
        return complete(id, r);
    }

    private ObjectNode templates() {
        ObjectNode r = mapper.createObjectNode();
        var array = r.putArray("resourceTemplates");
        for (String name : List.of("event", "chain")) {
            var info = templateManager.getResourceTemplate(name);
            if (info != null) {
                try {
                    ObjectNode t = (ObjectNode) mapper.readTree(info.asJson().encode());
                    if (t.path("icons").isArray() && t.path("icons").isEmpty()) {
                        t.remove("icons");
                    }
                    array.add(t);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return r;
    }

    private ObjectNode read(JsonNode id, ObjectNode p) {
        String uri = requireString(p, "uri", "resources/read", "the resource");
        Object value;
        try {
            if (uri.equals(ToolCatalog.CHAIN_APP_URI)) {
                return cacheable(id, app(uri));
            } else if (uri.startsWith(EVENT_PREFIX) && uri.length() > EVENT_PREFIX.length()) {
                value = events.get(uri.substring(EVENT_PREFIX.length()));
            } else if (uri.startsWith(CHAIN_PREFIX) && uri.length() > CHAIN_PREFIX.length()) {
                value = McpResources.chain(events, uri.substring(CHAIN_PREFIX.length()));
            } else {
                return notFound(id, uri, "no resource template matches; templates: homelab://events/{id}, "
                        + CHAIN_TEMPLATE + "; resources: " + ToolCatalog.CHAIN_APP_URI);
            }
        } catch (NotFoundException e) {
            return notFound(id, uri, "Not found: " + e.getMessage());
        } catch (InvalidInputException e) {
            return invalid(id, "resources/read", "Invalid resource URI: " + e.getMessage());
        }
        ObjectNode r = mapper.createObjectNode();
        try {
            r.putArray("contents").addObject().put("uri", uri).put("mimeType", "application/json")
                    .put("text", mapper.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event could not be serialized", e);
        }
        return cacheable(id, r);
    }

    /** The MCP App document, as the 2025 era serves it through the library (McpApps). */
    private ObjectNode app(String uri) {
        ObjectNode r = mapper.createObjectNode();
        ObjectNode content = r.putArray("contents").addObject().put("uri", uri).put("mimeType", McpApps.MIME_TYPE)
                .put("text", apps.chainPage());
        content.putObject("_meta").set("ui", mapper.valueToTree(McpApps.chainUi()));
        return r;
    }

    private ObjectNode completion(JsonNode id, ObjectNode p) {
        JsonNode ref = p.path("ref");
        JsonNode argument = p.path("argument");
        if (!ref.path("type").isTextual() || !argument.path("name").isTextual()) {
            return invalid(id, "completion/complete", "'ref' (with 'type') and 'argument' (with 'name' and 'value') are "
                    + "required");
        }
        String arg = argument.path("name").textValue();
        String prefix = argument.path("value").asText("");
        List<String> values = switch (ref.path("type").textValue()) {
            case "ref/resource" -> CHAIN_TEMPLATE.equals(ref.path("uri").asText(null)) && arg.equals("correlation_id")
                    ? status.correlationIds()
                    : List.of();
            case "ref/prompt" -> switch (arg) {
                case "correlation_id" -> status.correlationIds();
                case "service" -> status.serviceNames();
                default -> List.of();
            };
            default -> List.of();
        };
        var c = McpFeatures.complete(values, prefix);
        ObjectNode r = mapper.createObjectNode();
        ObjectNode completion = r.putObject("completion");
        c.values().forEach(completion.putArray("values")::add);
        completion.put("total", c.total()).put("hasMore", c.hasMore());
        return complete(id, r);
    }

    private String requireString(ObjectNode p, String field, String method, String what) {
        JsonNode v = p.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw new InvalidInputException(field, null, "'" + field + "' (" + what + ") is required and must be a string");
        }
        return v.textValue();
    }

    /** A list or a read: the catalog and the events may change at any time, so nothing is to be cached. */
    private ObjectNode cacheable(JsonNode id, ObjectNode result) {
        result.put("ttlMs", 0).put("cacheScope", "private");
        return complete(id, result);
    }

    private ObjectNode complete(JsonNode id, ObjectNode result) {
        result.put("resultType", "complete");
        result.putObject("_meta").set(META_SERVER_INFO, serverInfo());
        return front.result(id, result);
    }

    /** An answer made by {@link McpFront} (a result) stamped as a 2026-07-28 result. */
    private ObjectNode stamp(ObjectNode response) {
        if (response.get("result") instanceof ObjectNode result) {
            return complete(response.get("id"), result);
        }
        return response;
    }

    private ObjectNode serverInfo() {
        var info = serverConfig.servers().get(McpServer.DEFAULT).serverInfo();
        return mapper.createObjectNode().put("name", info.name().orElse("homelab-events"))
                .put("title", info.title().orElse("Homelab events")).put("version", version);
    }

    private ObjectNode invalid(JsonNode id, String method, String why) {
        LOG.debugf("MCP 2026-07-28 %s refused: %s", method, why);
        return front.error(id, McpFront.INVALID_PARAMS, "Invalid params for " + method + ": " + why);
    }

    /** 2026-07-28 answers an unknown resource with -32602 (the 2025 -32002 is folded into invalid params). */
    private ObjectNode notFound(JsonNode id, String uri, String why) {
        ObjectNode m = front.error(id, McpFront.INVALID_PARAMS, "Resource not found: " + why);
        ((ObjectNode) m.get("error")).putObject("data").put("uri", Text.echo(uri, 200));
        return m;
    }
}
