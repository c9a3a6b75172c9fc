package dev.homelab.events.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.agent.ToolCatalog;

/**
 * The function-calling face: the catalog in the OpenAI tools format, and a call endpoint. Errors are the
 * service's exceptions, turned into problem+json by {@link ProblemMappers}: 400 naming each bad argument,
 * 404 for an unknown tool or id.
 */
@Path("/api/tools")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tools")
public class ToolsResource {

    /** One entry of the OpenAI {@code tools} array. */
    public record FunctionTool(String type, Function function) {
    }

    /** {@code strict} is present (true) only in the strict variant. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Function(String name, String description, ObjectNode parameters, Boolean strict) {
    }

    @Inject
    ToolCatalog catalog;

    @GET
    @Operation(summary = "Tool catalog in the OpenAI tools format", description = "The same tools, descriptions and "
            + "JSON schemas as the MCP server's tools/list; write tools are absent in read-only mode. With strict=true: "
            + "schemas for OpenAI strict mode (every property required, optional ones nullable, the payload as a "
            + "JSON-encoded string), each function marked strict; calls accept either form.")
    public List<FunctionTool> list(@QueryParam("strict") @DefaultValue("false") boolean strict) {
        return catalog.visible().stream()
                .map(t -> new FunctionTool("function", new Function(t.name(), t.description(),
                        strict ? t.strictSchema() : t.inputSchema(), strict ? Boolean.TRUE : null)))
                .toList();
    }

    @POST
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run one tool", description = "Body: the JSON arguments object (empty body = no arguments). "
            + "Answers the tool's JSON result.")
    public Object call(@PathParam("name") String name, JsonNode arguments) {
        // an empty body means no arguments, as for a tool without any
        return catalog.call(name, arguments == null ? JsonNodeFactory.instance.objectNode() : arguments);
    }
}
