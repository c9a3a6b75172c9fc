package dev.homelab.events.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.NotFoundException;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;

/**
 * The LangChain4j face: the catalog's read tools as a {@link ToolProvider} for an AI service (the in-process
 * agent of issue 6). Write tools are never offered, whatever the read-only mode: an agent that answers
 * questions must not change the record. Specifications are built from the catalog's own JSON (name,
 * description, parameters), so they match MCP and function calling exactly.
 */
@ApplicationScoped
public class LangChain4jTools implements ToolProvider {

    @Inject
    ToolCatalog catalog;
    @Inject
    ObjectMapper mapper;

    @Override
    public ToolProviderResult provideTools(ToolProviderRequest request) {
        ToolProviderResult.Builder result = ToolProviderResult.builder();
        for (ToolCatalog.Tool t : catalog.readOnlyTools()) {
            result.add(specification(t), executor(t));
        }
        return result.build();
    }

    public List<ToolSpecification> specifications() {
        return catalog.readOnlyTools().stream().map(this::specification).toList();
    }

    ToolSpecification specification(ToolCatalog.Tool t) {
        ObjectNode json = mapper.createObjectNode().put("name", t.name()).put("description", t.description());
        // LangChain4j's schema model has no minimum, maximum, maxLength or format: the descriptions say the bounds
        json.set("parameters", JsonSchemas.portable(t.inputSchema()));
        return ToolSpecification.fromJson(json.toString());
    }

    /**
     * Runs the tool and answers its JSON result. A bad call answers an error text (naming the argument and what
     * is allowed) instead of throwing, so the model can read it and correct its call.
     */
    ToolExecutor executor(ToolCatalog.Tool t) {
        return (request, memoryId) -> {
            try {
                return mapper.writeValueAsString(catalog.call(t, mapper.readTree(
                        request.arguments() == null || request.arguments().isBlank() ? "{}" : request.arguments())));
            } catch (InvalidInputException e) {
                return "Invalid arguments: " + e.getMessage();
            } catch (NotFoundException e) {
                return "Not found: " + e.getMessage();
            } catch (JsonProcessingException e) {
                return "Invalid arguments: not a JSON object";
            }
        };
    }
}
