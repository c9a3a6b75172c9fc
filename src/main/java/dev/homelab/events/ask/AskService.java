package dev.homelab.events.ask;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.config.AskConfig;

/**
 * Answers an operator's question with the LangChain4j agent, within the limits of {@link AskConfig}: the model
 * is only called when one is configured ({@link ModelEndpoint}), the conversation runs under the total timeout
 * and concurrency limit ({@link AskRunner}), the tools are guarded per question ({@link AskToolProvider}), the
 * answer's citations are checked against what the tools returned ({@link Citations}), and every question that
 * passes validation ({@link AskQuestions}) leaves an audit event ({@link AskAudit}), whatever its outcome.
 */
@ApplicationScoped
public class AskService {

    /** A validated question. */
    public record Question(String text, String since, String askedBy) {
    }

    /** The outcome of a question, as answered by POST /api/ask. */
    public record Answer(String answer, List<String> citations, String citationSource, List<String> unverifiedCitations,
            List<AskContext.ToolCall> toolCalls, String model, String stopped, String auditEventId) {
    }

    @Inject
    AskConfig config;
    @Inject
    AskQuestions questions;
    @Inject
    AskRunner runner;
    @Inject
    AskAudit audit;
    @Inject
    ModelEndpoint endpoint;
    @Inject
    ObjectMapper mapper;

    /** Checks the prompts and the audit type at start, so a broken setup fails the start and not a question. */
    void onStart(@Observes StartupEvent ev) {
        AskSystemPrompt.text();
        questions.check();
        audit.check();
    }

    /** True when a base URL and a model are configured (not that the model is reachable: only a question tells). */
    public boolean configured() {
        return endpoint.configured();
    }

    /** Validates the request body's values; every bad field is named. Changes nothing. */
    public Question validate(String question, String since, String operator) {
        return questions.validate(question, since, operator);
    }

    /** Answers a validated question. Throws ModelUnavailableException (503) or AskTimeoutException (504). */
    public Answer ask(Question q) {
        if (!endpoint.configured()) {
            audit.record(q, null, List.of(), "not_configured", null);
            throw endpoint.notConfigured();
        }
        Instant start = Instant.now();
        AskContext ctx = new AskContext(config.maxToolCalls(), config.toolResultBudgetTokens(),
                start.plus(config.totalTimeout()));
        String message = questions.userMessage(q, start);
        String answer;
        String stopped = null;
        try {
            answer = runner.answer(ctx, UUID.randomUUID().toString(), message);
        } catch (TimeoutException e) {
            audit.record(q, null, ctx.snapshot().calls(), "timeout", null);
            throw new AskTimeoutException("no answer within " + config.totalTimeout().toSeconds() + "s "
                    + "(homelab.ask.total-timeout, HOMELAB_ASK_TOTAL_TIMEOUT); " + ctx.snapshot().calls().size()
                    + " tool calls were made. A small local model may need more time, or fewer tool calls.");
        } catch (ExecutionException e) {
            AskAbortedException aborted = find(e.getCause(), AskAbortedException.class);
            if (aborted != null && aborted.reason() == AskAbortedException.Reason.tool_call_limit) {
                stopped = aborted.reason().name();
                answer = "No answer: the model kept calling tools after the limit of " + config.maxToolCalls()
                        + " tool calls for one question (homelab.ask.max-tool-calls). The events it was shown are cited.";
            } else if (aborted != null) {
                audit.record(q, null, ctx.snapshot().calls(), "timeout", null);
                throw new AskTimeoutException("no answer within " + config.totalTimeout().toSeconds()
                        + "s (homelab.ask.total-timeout)");
            } else {
                RuntimeException failure = endpoint.failure(e.getCause());
                audit.record(q, null, ctx.snapshot().calls(), failure instanceof ModelUnavailableException
                        ? "model_unavailable"
                        : "error", null);
                throw failure;
            }
        }
        AskContext.Snapshot s = ctx.snapshot();
        Citations c = Citations.of(answer == null ? "" : answer, s.seenIds(), stopped != null);
        String auditId = audit.record(q, answer, s.calls(), stopped == null ? "answered" : stopped, c.cited());
        return new Answer(answer, c.cited(), c.source(), c.unverified(), s.calls(), endpoint.model(), stopped, auditId);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** Arguments as JSON when they parse, else as the text the model sent. */
    public JsonNode argumentsJson(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(arguments);
        } catch (IOException e) {
            return mapper.getNodeFactory().textNode(arguments);
        }
    }
}
