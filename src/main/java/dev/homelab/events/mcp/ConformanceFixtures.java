package dev.homelab.events.mcp;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkiverse.mcp.server.AudioContent;
import io.quarkiverse.mcp.server.BlobResourceContents;
import io.quarkiverse.mcp.server.CompletionResponse;
import io.quarkiverse.mcp.server.ElicitationRequest;
import io.quarkiverse.mcp.server.ElicitationResponse;
import io.quarkiverse.mcp.server.EmbeddedResource;
import io.quarkiverse.mcp.server.ImageContent;
import io.quarkiverse.mcp.server.PromptCompletionManager;
import io.quarkiverse.mcp.server.PromptManager;
import io.quarkiverse.mcp.server.PromptMessage;
import io.quarkiverse.mcp.server.PromptResponse;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.ResourceTemplateManager;
import io.quarkiverse.mcp.server.SamplingMessage;
import io.quarkiverse.mcp.server.SamplingResponse;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.homelab.events.config.McpConfig;

/**
 * The fixtures of the reference "everything" server that the official conformance suite
 * ({@code @modelcontextprotocol/conformance}) calls: tools {@code test_simple_text} ..., resources
 * {@code test://static-text} ..., prompts {@code test_simple_prompt} ..., registered beside the real catalog only
 * when {@code homelab.mcp.conformance=true} (HOMELAB_MCP_CONFORMANCE), off by default: the packaged jar is the
 * same, nothing is registered in a real deployment. They follow the suite's scenario texts (0.1.16) and touch no
 * event store. {@code .ci/conformance.sh} runs the whole server suite against the packaged jar with them on.
 */
@ApplicationScoped
public class ConformanceFixtures {

    private static final Logger LOG = Logger.getLogger(ConformanceFixtures.class);
    /** A 1x1 red PNG. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    /** A WAV header with no samples. */
    static final String WAV = Base64.getEncoder().encodeToString(new byte[]{ 'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A',
            'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, (byte) 0x80, 0x3e, 0, 0, 2, 0, 16, 0, 'd',
            'a', 't', 'a', 0, 0, 0, 0 });

    @Inject
    McpConfig config;
    @Inject
    ToolManager tools;
    @Inject
    ResourceManager resources;
    @Inject
    ResourceTemplateManager templates;
    @Inject
    PromptManager prompts;
    @Inject
    PromptCompletionManager completions;

    /** After the real catalog (McpFeatures, APPLICATION + 700), so the real tools come first in every list. */
    void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 800) StartupEvent ev) {
        if (!config.conformance()) {
            return;
        }
        LOG.warn("homelab.mcp.conformance=true: the MCP conformance fixtures (test_* tools, test:// resources) are "
                + "registered; never use this setting outside the conformance run");
        tools();
        resources();
        prompts();
    }

    private void tools() {
        simple("test_simple_text", "Returns simple text", () -> ToolResponse.success(
                new TextContent("This is a simple text response for testing.")));
        simple("test_image_content", "Returns an image", () -> ToolResponse.success(new ImageContent(PNG, "image/png")));
        simple("test_audio_content", "Returns audio", () -> ToolResponse.success(new AudioContent(WAV, "audio/wav")));
        simple("test_embedded_resource", "Returns an embedded resource", () -> ToolResponse.success(new EmbeddedResource(
                new TextResourceContents("test://embedded-resource", "This is an embedded resource content.",
                        "text/plain"))));
        simple("test_multiple_content_types", "Returns text, image and resource", () -> ToolResponse.success(List.of(
                new TextContent("Multiple content types test:"), new ImageContent(PNG, "image/png"),
                new EmbeddedResource(new TextResourceContents("test://mixed-content-resource",
                        "{\"test\":\"data\",\"value\":123}", "application/json")))));
        simple("test_error_handling", "Always fails", () -> ToolResponse.error(
                "This tool intentionally returns an error for testing"));
        tools.newTool("test_tool_with_logging").setDescription("Sends three log notifications").setHandler(a -> {
            a.log().info("Tool execution started");
            pause();
            a.log().info("Tool processing data");
            pause();
            a.log().info("Tool execution completed");
            return ToolResponse.success("Logging test completed");
        }).register();
        tools.newTool("test_tool_with_progress").setDescription("Reports progress 0, 50, 100 of 100").setHandler(a -> {
            for (int p = 0; p <= 100; p += 50) {
                if (a.progress().token().isPresent()) {
                    a.progress().notificationBuilder().setProgress(p).setTotal(100).build().sendAndForget();
                }
                pause();
            }
            return ToolResponse.success("Progress test completed");
        }).register();
        tools.newTool("test_sampling").setDescription("Asks the client's model").addArgument("prompt", "The prompt", true,
                String.class).setHandler(a -> {
                    if (!a.sampling().isSupported()) {
                        return ToolResponse.error("the client does not support sampling");
                    }
                    SamplingResponse r = a.sampling().requestBuilder().setMaxTokens(100)
                            .addMessage(SamplingMessage.withUserRole(String.valueOf(a.args().get("prompt")))).build()
                            .sendAndAwait();
                    return ToolResponse.success("LLM response: " + r.content().asText().text());
                }).register();
        tools.newTool("test_elicitation").setDescription("Asks the user").addArgument("message", "The message", true,
                String.class).setHandler(
                        a -> elicit(a.elicitation().requestBuilder()
                                .setMessage(String.valueOf(a.args().get("message")))
                                .addSchemaProperty("username",
                                        new Schema(new JsonObject().put("type", "string").put("description", "User's response"),
                                                true))
                                .addSchemaProperty("email",
                                        new Schema(new JsonObject().put("type", "string").put("description",
                                                "User's email address"), true)),
                                "User response: "))
                .register();
        tools.newTool("test_elicitation_sep1034_defaults").setDescription("Asks with defaults").setHandler(a -> elicit(
                a.elicitation().requestBuilder().setMessage("Please review and update the form fields with defaults")
                        .addSchemaProperty("name", new Schema(new JsonObject().put("type", "string")
                                .put("description", "User name").put("default", "John Doe")))
                        .addSchemaProperty("age", new Schema(new JsonObject().put("type", "integer")
                                .put("description", "User age").put("default", 30)))
                        .addSchemaProperty("score", new Schema(new JsonObject().put("type", "number")
                                .put("description", "User score").put("default", 95.5)))
                        .addSchemaProperty("status", new Schema(new JsonObject().put("type", "string")
                                .put("description", "User status")
                                .put("enum", new JsonArray(List.of("active", "inactive", "pending"))).put("default", "active")))
                        .addSchemaProperty("verified", new Schema(new JsonObject().put("type", "boolean")
                                .put("description", "Verification status").put("default", true))),
                "Elicitation completed: ")).register();
        tools.newTool("test_elicitation_sep1330_enums").setDescription("Asks with every enum form").setHandler(a -> elicit(
                a.elicitation().requestBuilder().setMessage("Please select options from the enum fields")
                        .addSchemaProperty("untitledSingle", new Schema(new JsonObject().put("type", "string")
                                .put("enum", new JsonArray(List.of("option1", "option2", "option3")))))
                        .addSchemaProperty("titledSingle", new Schema(new JsonObject().put("type", "string")
                                .put("oneOf", titled("value", "Option"))))
                        .addSchemaProperty("legacyEnum", new Schema(new JsonObject().put("type", "string")
                                .put("enum", new JsonArray(List.of("opt1", "opt2", "opt3")))
                                .put("enumNames", new JsonArray(List.of("Option One", "Option Two", "Option Three")))))
                        .addSchemaProperty("untitledMulti", new Schema(new JsonObject().put("type", "array")
                                .put("items", new JsonObject().put("type", "string")
                                        .put("enum", new JsonArray(List.of("option1", "option2", "option3"))))))
                        .addSchemaProperty("titledMulti", new Schema(new JsonObject().put("type", "array")
                                .put("items", new JsonObject().put("anyOf", titled("value", "Choice"))))),
                "Elicitation completed: ")).register();
        tools.newTool("json_schema_2020_12_tool").setDescription("Tool with JSON Schema 2020-12 features")
                .setInputSchema(new JsonObject().put("$schema", "https://json-schema.org/draft/2020-12/schema")
                        .put("type", "object")
                        .put("$defs", new JsonObject().put("address", new JsonObject().put("type", "object")
                                .put("properties", new JsonObject().put("street", new JsonObject().put("type", "string"))
                                        .put("city", new JsonObject().put("type", "string")))))
                        .put("properties", new JsonObject().put("name", new JsonObject().put("type", "string"))
                                .put("address", new JsonObject().put("$ref", "#/$defs/address")))
                        .put("additionalProperties", false))
                .setHandler(a -> ToolResponse.success("ok")).register();
    }

    private void resources() {
        resources.newResource("static-text").setUri("test://static-text").setDescription("A static text resource")
                .setMimeType("text/plain").setHandler(a -> new ResourceResponse(new TextResourceContents("test://static-text",
                        "This is the content of the static text resource.", "text/plain")))
                .register();
        resources.newResource("static-binary").setUri("test://static-binary").setDescription("A static binary resource")
                .setMimeType("image/png").setHandler(a -> new ResourceResponse(new BlobResourceContents("test://static-binary",
                        PNG, "image/png")))
                .register();
        resources.newResource("watched-resource").setUri("test://watched-resource").setDescription("A resource to subscribe to")
                .setMimeType("text/plain").setHandler(a -> new ResourceResponse(new TextResourceContents(
                        "test://watched-resource", "Watched resource content", "text/plain")))
                .register();
        templates.newResourceTemplate("template-data").setUriTemplate("test://template/{id}/data")
                .setDescription("Data for an id").setMimeType("application/json")
                .setHandler(a -> new ResourceResponse(new TextResourceContents(a.requestUri().value(),
                        new JsonObject().put("id", a.args().get("id")).put("templateTest", true)
                                .put("data", "Data for ID: " + a.args().get("id")).encode(),
                        "application/json")))
                .register();
    }

    private void prompts() {
        prompts.newPrompt("test_simple_prompt").setDescription("A simple prompt")
                .setHandler(
                        a -> PromptResponse.withMessages(PromptMessage.withUserRole("This is a simple prompt for testing.")))
                .register();
        prompts.newPrompt("test_prompt_with_arguments").setDescription("A prompt with arguments")
                .addArgument("arg1", "First test argument", true).addArgument("arg2", "Second test argument", true)
                .setHandler(a -> PromptResponse.withMessages(PromptMessage.withUserRole("Prompt with arguments: arg1='"
                        + a.args().get("arg1") + "', arg2='" + a.args().get("arg2") + "'")))
                .register();
        completions.newCompletion("test_prompt_with_arguments").setArgumentName("arg1")
                .setHandler(a -> new CompletionResponse(List.of("paris", "park", "party"), 3, false)).register();
        prompts.newPrompt("test_prompt_with_embedded_resource").setDescription("A prompt with an embedded resource")
                .addArgument("resourceUri", "URI of the resource to embed", true)
                .setHandler(a -> PromptResponse.withMessages(
                        PromptMessage.withUserRole(new EmbeddedResource(new TextResourceContents(a.args().get("resourceUri"),
                                "Embedded resource content for testing.", "text/plain"))),
                        PromptMessage.withUserRole("Please process the embedded resource above.")))
                .register();
        prompts.newPrompt("test_prompt_with_image").setDescription("A prompt with an image")
                .setHandler(a -> PromptResponse.withMessages(PromptMessage.withUserRole(new ImageContent(PNG, "image/png")),
                        PromptMessage.withUserRole("Please analyze the image above.")))
                .register();
    }

    private void simple(String name, String description, Supplier<ToolResponse> answer) {
        tools.newTool(name).setDescription(description).setHandler(a -> answer.get()).register();
    }

    private static ToolResponse elicit(ElicitationRequest.Builder request, String prefix) {
        ElicitationResponse r = request.setTimeout(Duration.ofSeconds(30)).build().sendAndAwait();
        return ToolResponse.success(prefix + "action=" + r.action().toString().toLowerCase(Locale.ROOT)
                + ", content=" + (r.content() == null ? "{}" : r.content()));
    }

    private static JsonArray titled(String value, String title) {
        JsonArray a = new JsonArray();
        String[] n = { "First", "Second", "Third" };
        for (int i = 1; i <= 3; i++) {
            a.add(new JsonObject().put("const", value + i).put("title", n[i - 1] + " " + title));
        }
        return a;
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An elicitation property as raw JSON schema: 1.10.1's own schema records write the title where the description
     * belongs ({@code "description": null} without a title, which clients refuse) and have no integer type.
     */
    record Schema(JsonObject json, boolean required) implements ElicitationRequest.PrimitiveSchema {
        Schema(JsonObject json) {
            this(json, false);
        }

        @Override
        public JsonObject asJson() {
            return json;
        }
    }
}
