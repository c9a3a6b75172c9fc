package dev.homelab.events.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.service.InvalidInputException;
import dev.homelab.events.service.NotFoundException;
import dev.homelab.events.service.StoreUnavailableException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;

/**
 * The LangChain4j face of the catalog: each read tool of {@link ToolCatalog} as a {@link ToolSpecification}
 * (same name, description and argument schema as on MCP and function calling) with an executor that runs it
 * through the catalog and answers its result record as JSON. Write tools are never offered here, whatever the
 * read-only mode: this face serves the in-process agent, which only reads.
 * <p>
 * Each argument's schema is passed as a {@link JsonRawSchema}, so it reaches the model byte for byte as the
 * catalog wrote it; LangChain4j's typed schema elements would drop {@code minimum} and {@code maximum}. The
 * object-level {@code additionalProperties: false} is only sent by LangChain4j's OpenAI mapping in strict mode;
 * the catalog's binder refuses unknown arguments anyway.
 */
@ApplicationScoped
public class LangChain4jTools implements ToolProvider {

    private static final Logger LOG = Logger.getLogger(LangChain4jTools.class);

    @Inject
    ToolCatalog catalog;
    @Inject
    ObjectMapper mapper;

    private volatile Map<ToolSpecification, ToolExecutor> tools;

    @Override
    public ToolProviderResult provideTools(ToolProviderRequest request) {
        return new ToolProviderResult(tools());
    }

    /** The read tools, in catalog order. */
    public Map<ToolSpecification, ToolExecutor> tools() {
        Map<ToolSpecification, ToolExecutor> t = tools;
        if (t == null) {
            Map<ToolSpecification, ToolExecutor> built = new LinkedHashMap<>();
            for (ToolCatalog.Tool tool : catalog.readOnlyTools()) {
                built.put(specification(tool), new CatalogExecutor(tool));
            }
            tools = t = java.util.Collections.unmodifiableMap(built);
        }
        return t;
    }

    public List<String> names() {
        return tools().keySet().stream().map(ToolSpecification::name).toList();
    }

    static ToolSpecification specification(ToolCatalog.Tool tool) {
        return ToolSpecification.builder().name(tool.name()).description(tool.description())
                .parameters(parameters(tool.inputSchema())).build();
    }

    /** The catalog's input schema (a flat object of named arguments) as LangChain4j's parameters. */
    public static JsonObjectSchema parameters(ObjectNode schema) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        JsonNode props = schema.path("properties");
        for (Map.Entry<String, JsonNode> p : props.properties()) {
            b.addProperty(p.getKey(), JsonRawSchema.from(p.getValue().toString()));
        }
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        b.required(required);
        if (schema.has("additionalProperties")) {
            b.additionalProperties(schema.get("additionalProperties").asBoolean());
        }
        return b.build();
    }

    /**
     * Runs one catalog tool. Bad arguments and unknown ids become an error result whose text names the argument
     * and what is allowed, so the model can correct its call; nothing is run when any argument is wrong.
     */
    final class CatalogExecutor implements ToolExecutor {
        private final ToolCatalog.Tool tool;

        CatalogExecutor(ToolCatalog.Tool tool) {
            this.tool = tool;
        }

        @Override
        public String execute(ToolExecutionRequest request, Object memoryId) {
            return executeWithContext(request, null).resultText();
        }

        @Override
        public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
            try {
                JsonNode args = request.arguments() == null || request.arguments().isBlank() ? mapper.createObjectNode()
                        : mapper.readTree(request.arguments());
                Object result = catalog.call(tool, args);
                return ToolExecutionResult.builder().result(result).resultText(mapper.writeValueAsString(result)).build();
            } catch (JsonProcessingException e) {
                return error("arguments: not valid JSON (" + e.getOriginalMessage() + "); send a JSON object");
            } catch (InvalidInputException e) {
                return error("invalid arguments: " + e.getMessage());
            } catch (NotFoundException e) {
                return error("not found: " + e.getMessage());
            } catch (StoreUnavailableException e) {
                return error("event store unavailable: " + e.getMessage());
            } catch (RuntimeException e) {
                // a defect, not the model's fault: keep the cause in the log, give the model no stack trace
                LOG.warnf(e, "Tool %s failed", tool.name());
                return error("internal error in " + tool.name() + "; try another tool or answer with what you have");
            }
        }

        private ToolExecutionResult error(String text) {
            return ToolExecutionResult.builder().isError(true).resultText("error: " + text).build();
        }
    }
}
