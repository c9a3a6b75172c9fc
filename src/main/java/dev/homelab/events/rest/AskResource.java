package dev.homelab.events.rest;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.homelab.events.InvalidInputException;
import dev.homelab.events.ask.AskService;

/**
 * Natural-language questions about the homelab, answered by a model that reads the event store through the
 * catalog's read tools. 400 names a bad field; 503 says what to configure when no model is configured or it
 * cannot be reached; 504 when the question's total time ran out. Every question is also recorded as an event.
 */
@Path("/api/ask")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "ask")
public class AskResource {

    /** One tool call the model asked for; {@code status} is ok, error, refused (not offered) or over_limit. */
    public record ToolCall(String name, JsonNode arguments, String status) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record AskResponse(
            @JsonInclude(JsonInclude.Include.ALWAYS) String answer,
            @JsonInclude(JsonInclude.Include.ALWAYS) List<String> citations,
            @JsonProperty("citation_source") String citationSource,
            @JsonProperty("unverified_citations") List<String> unverifiedCitations,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("tool_calls") List<ToolCall> toolCalls,
            String model,
            String stopped,
            @JsonProperty("audit_event_id") String auditEventId) {
    }

    @Inject
    AskService ask;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask a question about incidents", description = "Body {\"question\": \"...\", \"since\": optional "
            + "time bound (ISO 8601, 'now-12h', '24h')}. Header X-Operator names who asks, for the audit event. Answers "
            + "the model's answer, the event ids it rests on (citations), the tool calls made and the model.")
    public AskResponse ask(JsonNode body, @HeaderParam("X-Operator") String operator) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("body", body == null ? null : body.getNodeType().toString(),
                    "must be a JSON object: {\"question\": \"...\", \"since\": \"24h\"}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!name.equals("question") && !name.equals("since")) {
                throw new InvalidInputException(name, null, "is not a field of a question; allowed: question, since");
            }
        }
        AskService.Question q = ask.validate(text(body, "question"), text(body, "since"), operator);
        AskService.Answer a = ask.ask(q);
        return new AskResponse(a.answer(), a.citations(), a.citationSource(), a.unverifiedCitations(),
                a.toolCalls().stream().map(c -> new ToolCall(c.name(), ask.argumentsJson(c.arguments()), c.status().name()))
                        .toList(),
                a.model(), a.stopped(), a.auditEventId());
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidInputException(field, n.getNodeType().toString().toLowerCase(Locale.ROOT),
                    "must be a JSON string");
        }
        return n.textValue();
    }
}
