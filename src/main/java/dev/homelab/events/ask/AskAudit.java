package dev.homelab.events.ask;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.EventDraft;
import dev.homelab.events.Text;
import dev.homelab.events.config.AskConfig;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;

/**
 * The audit trail of /api/ask: every question that passes validation is recorded as one event (type
 * homelab.ask.audit-type, source {@code ask}) with the answer, citations, tool calls, model, who asked and the
 * outcome, whatever the outcome. Long texts are shortened so one question cannot make a huge event.
 */
@ApplicationScoped
public class AskAudit {

    static final int ANSWER_MAX_CHARS = 2000;
    static final int ARGUMENTS_MAX_CHARS = 300;
    static final int TOOL_NAME_MAX_CHARS = 64;

    private static final Logger LOG = Logger.getLogger(AskAudit.class);

    @Inject
    EventService events;
    @Inject
    ObjectMapper mapper;
    @Inject
    AskConfig config;
    @Inject
    ModelEndpoint endpoint;

    /** Fails the start when the audit type is not one the store accepts. */
    void check() {
        if (!events.types().contains(config.auditType())) {
            throw new IllegalStateException("homelab.ask.audit-type=" + config.auditType() + " is not an accepted event "
                    + "type; use operator_query (built in) or add it to HOMELAB_EVENTS_CUSTOM_TYPES");
        }
    }

    /** Writes the audit event and answers its id; a failure to write is logged and answers null (the answer still goes out). */
    String record(AskService.Question q, String answer, List<AskContext.ToolCall> calls, String outcome,
            List<String> citations) {
        ObjectNode p = mapper.createObjectNode();
        p.put("question", q.text());
        if (q.since() != null) {
            p.put("since", q.since());
        }
        p.put("answer", answer == null ? null : Text.shorten(answer, ANSWER_MAX_CHARS));
        ArrayNode cited = p.putArray("citations");
        (citations == null ? List.<String>of() : citations).forEach(cited::add);
        ArrayNode tc = p.putArray("tool_calls");
        for (AskContext.ToolCall c : calls) {
            tc.addObject().put("name", Text.shorten(c.name(), TOOL_NAME_MAX_CHARS))
                    .put("arguments", Text.shorten(c.arguments(), ARGUMENTS_MAX_CHARS))
                    .put("status", c.status().name());
        }
        p.put("model", endpoint.model());
        p.put("asked_by", q.askedBy());
        p.put("outcome", outcome);
        try {
            Emitted e = events.emit(new EventDraft(null, null, config.auditType(), "info", "ask", "all", null, p));
            return e.event().id().toString();
        } catch (RuntimeException e) {
            LOG.warnf("The audit event of a question could not be written (%s); the answer is still returned",
                    e.getMessage());
            return null;
        }
    }
}
