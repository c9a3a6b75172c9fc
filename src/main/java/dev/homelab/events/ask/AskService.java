package dev.homelab.events.ask;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.langchain4j.ChatMemoryRemover;
import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.EventDraft;
import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.config.AskConfig;
import dev.homelab.events.service.Emitted;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.TimeExpressions;
import dev.langchain4j.exception.HttpException;

/**
 * Answers an operator's question with the LangChain4j agent, within the limits of {@link AskConfig}: the model
 * is only called when one is configured, the question runs on its own thread under a total timeout, the tools
 * are guarded per question (see {@link AskToolProvider}), and every question that passes validation leaves an
 * audit event, whatever its outcome.
 */
@ApplicationScoped
public class AskService {

    /** The placeholders of application.properties for an unset base URL and model: no model is configured. */
    static final String BASE_URL_NOT_CONFIGURED = "http://model-not-configured.invalid/v1/";
    static final String MODEL_NOT_CONFIGURED = "not-configured";

    static final String NOT_CONFIGURED_HELP = "No model is configured for /api/ask. Set HOMELAB_ASK_BASE_URL to an "
            + "OpenAI-compatible endpoint ending in /v1 (Ollama: http://127.0.0.1:11434/v1) and HOMELAB_ASK_MODEL to a "
            + "model it serves (e.g. llama3.1:8b); HOMELAB_ASK_API_KEY if the endpoint needs one. See docs/ask.md. "
            + "The rest of the server works without a model.";

    static final int AUDIT_ANSWER_MAX_CHARS = 2000;
    static final int AUDIT_ARGUMENTS_MAX_CHARS = 300;
    static final int OPERATOR_MAX_CHARS = 64;

    private static final Logger LOG = Logger.getLogger(AskService.class);

    /** A validated question. */
    public record Question(String text, String since, String askedBy) {
    }

    /** The outcome of a question, as answered by POST /api/ask. */
    public record Answer(String answer, List<String> citations, String citationSource, List<String> unverifiedCitations,
            List<AskContext.ToolCall> toolCalls, String model, String stopped, String auditEventId) {
    }

    @Inject
    AskAssistant assistant;
    @Inject
    AskConfig config;
    @Inject
    EventService events;
    @Inject
    ObjectMapper mapper;
    @Inject
    PromptLibrary prompts;

    @ConfigProperty(name = "quarkus.langchain4j.openai.base-url")
    String baseUrl;
    @ConfigProperty(name = "quarkus.langchain4j.openai.chat-model.model-name")
    String model;

    private ThreadPoolExecutor executor;
    private PromptLibrary.Prompt questionPrompt;

    /** Checks the prompts and the audit type at start, so a broken setup fails the start and not a question. */
    void onStart(@jakarta.enterprise.event.Observes StartupEvent ev) {
        init();
    }

    synchronized void init() {
        if (executor != null) {
            return;
        }
        AskSystemPrompt.text();
        questionPrompt = prompts.get("ask-question");
        if (!events.types().contains(config.auditType())) {
            throw new IllegalStateException("homelab.ask.audit-type=" + config.auditType() + " is not an accepted event "
                    + "type; use operator_query (built in) or add it to HOMELAB_EVENTS_CUSTOM_TYPES");
        }
        int n = Math.max(1, config.maxConcurrent());
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * n), r -> {
            Thread t = new Thread(r, "homelab-ask-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** True when a base URL and a model are configured (not that the model is reachable: only a question tells). */
    public boolean configured() {
        return !BASE_URL_NOT_CONFIGURED.equals(baseUrl) && !MODEL_NOT_CONFIGURED.equals(model);
    }

    /** Validates the request body's values; every bad field is named. Changes nothing. */
    public Question validate(String question, String since, String operator) {
        List<FieldError> errors = new ArrayList<>();
        if (question == null || question.isBlank()) {
            errors.add(new FieldError("question", null, "is required: the question to answer, in plain words"));
        } else if (question.length() > config.maxQuestionChars()) {
            errors.add(new FieldError("question", shorten(question, 80), "is " + question.length()
                    + " characters; at most " + config.maxQuestionChars() + " allowed (homelab.ask.max-question-chars)"));
        } else if (forbidden(question) >= 0) {
            errors.add(new FieldError("question", null, String.format("contains the control character U+%04X; only "
                    + "printable text, newlines and tabs are allowed", forbidden(question))));
        }
        if (since != null && !since.isBlank()) {
            try {
                TimeExpressions.parse("since", since, Instant.now());
            } catch (InvalidInputException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Question(question.strip(), since == null || since.isBlank() ? null : since.strip(), operator(operator));
    }

    /** Answers a validated question. Throws ModelUnavailableException (503) or AskTimeoutException (504). */
    public Answer ask(Question q) {
        init();
        if (!configured()) {
            audit(q, null, List.of(), "not_configured", null);
            throw new ModelUnavailableException(NOT_CONFIGURED_HELP, false, null);
        }
        Instant start = Instant.now();
        Instant deadline = start.plus(config.totalTimeout());
        AskContext ctx = new AskContext(config.maxToolCalls(), config.toolResultBudgetTokens(), deadline);
        String message = userMessage(q, start);
        String questionId = UUID.randomUUID().toString();
        Future<String> future;
        try {
            future = executor.submit(() -> {
                ctx.bind();
                try {
                    return assistant.answer(questionId, message);
                } finally {
                    AskContext.unbind();
                    ChatMemoryRemover.remove(assistant, questionId);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new ModelUnavailableException("too many questions are waiting for the model (homelab.ask.max-concurrent="
                    + config.maxConcurrent() + "); ask again shortly", true, e);
        }
        String answer;
        String stopped = null;
        try {
            answer = future.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ctx.abandon();
            future.cancel(true);
            audit(q, null, ctx.snapshot().calls(), "timeout", null);
            throw new AskTimeoutException("no answer within " + config.totalTimeout().toSeconds() + "s "
                    + "(homelab.ask.total-timeout, HOMELAB_ASK_TOTAL_TIMEOUT); " + ctx.snapshot().calls().size()
                    + " tool calls were made. A small local model may need more time, or fewer tool calls.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.abandon();
            future.cancel(true);
            throw new AskTimeoutException("the server is shutting down");
        } catch (ExecutionException e) {
            AskAbortedException aborted = find(e.getCause(), AskAbortedException.class);
            if (aborted != null && aborted.reason() == AskAbortedException.Reason.tool_call_limit) {
                stopped = aborted.reason().name();
                answer = "No answer: the model kept calling tools after the limit of " + config.maxToolCalls()
                        + " tool calls for one question (homelab.ask.max-tool-calls). The events it was shown are cited.";
            } else if (aborted != null) {
                audit(q, null, ctx.snapshot().calls(), "timeout", null);
                throw new AskTimeoutException("no answer within " + config.totalTimeout().toSeconds()
                        + "s (homelab.ask.total-timeout)");
            } else {
                RuntimeException failure;
                try {
                    failure = unavailable(e.getCause());
                } catch (IllegalStateException internal) {
                    failure = internal;
                }
                audit(q, null, ctx.snapshot().calls(), failure instanceof ModelUnavailableException
                        ? "model_unavailable"
                        : "error", null);
                throw failure;
            }
        }
        AskContext.Snapshot s = ctx.snapshot();
        Citations c = citations(answer == null ? "" : answer, s.seenIds(), stopped != null);
        String auditId = audit(q, answer, s.calls(), stopped == null ? "answered" : stopped, c.cited());
        return new Answer(answer, c.cited(), c.source(), c.unverified(), s.calls(), model, stopped, auditId);
    }

    record Citations(List<String> cited, String source, List<String> unverified) {
    }

    /**
     * The event ids the answer cites that a tool really returned; when it cites none, every event id the tools
     * returned (source {@code tool_results}). Ids the answer gives that no tool returned are listed apart.
     */
    static Citations citations(String answer, List<String> seen, boolean forceAll) {
        Set<String> inAnswer = new LinkedHashSet<>();
        Matcher m = AskContext.EVENT_ID.matcher(answer.toLowerCase(Locale.ROOT));
        while (m.find()) {
            inAnswer.add(m.group());
        }
        List<String> cited = inAnswer.stream().filter(seen::contains).toList();
        List<String> unverified = inAnswer.stream().filter(id -> !seen.contains(id)).toList();
        if (cited.isEmpty() || forceAll) {
            return new Citations(List.copyOf(seen), "tool_results", unverified);
        }
        return new Citations(cited, "answer", unverified);
    }

    private String userMessage(Question q, Instant now) {
        String window = "No time window was given; use the tools' defaults or what the question implies.";
        if (q.since() != null) {
            String since = Timestamps.toJson(TimeExpressions.parse("since", q.since(), now));
            window = "Only events since " + since + " matter: pass since=" + since + " to tools that take it.";
        }
        // the question goes in last, so text in it cannot be mistaken for one of the other placeholders
        Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("now", Timestamps.toJson(now));
        values.put("window", window);
        values.put("question", q.text());
        return questionPrompt.render(values);
    }

    /** Writes the audit event; a failure to write is logged and does not withhold the answer. */
    private String audit(Question q, String answer, List<AskContext.ToolCall> calls, String outcome, List<String> citations) {
        ObjectNode p = mapper.createObjectNode();
        p.put("question", q.text());
        if (q.since() != null) {
            p.put("since", q.since());
        }
        p.put("answer", answer == null ? null : shorten(answer, AUDIT_ANSWER_MAX_CHARS));
        ArrayNode cited = p.putArray("citations");
        (citations == null ? List.<String>of() : citations).forEach(cited::add);
        ArrayNode tc = p.putArray("tool_calls");
        for (AskContext.ToolCall c : calls) {
            tc.addObject().put("name", shorten(c.name(), 64))
                    .put("arguments", c.arguments() == null ? null : shorten(c.arguments(), AUDIT_ARGUMENTS_MAX_CHARS))
                    .put("status", c.status().name());
        }
        p.put("model", model);
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

    /** Turns whatever the model client threw into a 503 that says what to check. */
    ModelUnavailableException unavailable(Throwable t) {
        String where = baseUrl + " (model " + model + ")";
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return new ModelUnavailableException("The model endpoint " + where + " cannot be reached (connection "
                        + "refused). Start the model server, or fix HOMELAB_ASK_BASE_URL.", true, t);
            }
            if (c instanceof UnknownHostException) {
                return new ModelUnavailableException("The host of the model endpoint " + where + " is unknown. Fix "
                        + "HOMELAB_ASK_BASE_URL.", true, t);
            }
            if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException
                    || c instanceof dev.langchain4j.exception.TimeoutException
                    || c.getClass().getSimpleName().contains("Timeout")) {
                return new ModelUnavailableException("The model endpoint " + where + " did not answer within "
                        + config.timeout().toSeconds() + "s (HOMELAB_ASK_TIMEOUT). A large local model may need more.",
                        true, t);
            }
            Integer status = c instanceof HttpException h
                    ? Integer.valueOf(h.statusCode())
                    : c instanceof jakarta.ws.rs.WebApplicationException w
                            ? Integer.valueOf(w.getResponse().getStatus())
                            : null;
            if (status != null) {
                String hint = status == 401 || status == 403
                        ? "it refused the API key: set HOMELAB_ASK_API_KEY"
                        : status == 404
                                ? "check HOMELAB_ASK_BASE_URL (it must end in /v1) and that HOMELAB_ASK_MODEL is a "
                                        + "model the endpoint serves (Ollama: ollama pull " + model + ")"
                                : status == 429
                                        ? "it is rate limiting; ask again later"
                                        : "check the model server's log";
                return new ModelUnavailableException("The model endpoint " + where + " answered HTTP " + status + ": "
                        + hint + ".", true, t);
            }
        }
        if (!fromModelClient(t)) {
            // not the model's failure but ours: a 503 blaming the endpoint would send the operator the wrong way
            throw new IllegalStateException("answering the question failed", t);
        }
        LOG.warnf(t, "The model call failed");
        return new ModelUnavailableException("The model endpoint " + where + " failed: " + shorten(String.valueOf(
                t == null ? null : t.getMessage()), 300) + ". Check HOMELAB_ASK_BASE_URL and the model server.", true, t);
    }

    /** True when the failure comes from the model client (LangChain4j, its OpenAI client, the REST client, I/O). */
    static boolean fromModelClient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String name = c.getClass().getName();
            if (name.startsWith("dev.langchain4j.") || name.startsWith("io.quarkiverse.langchain4j.")
                    || c instanceof jakarta.ws.rs.ProcessingException || c instanceof java.io.IOException
                    || c instanceof java.io.UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The X-Operator header, cleaned: it is who the audit trail says asked. */
    static String operator(String header) {
        if (header == null || header.isBlank()) {
            return "unknown";
        }
        StringBuilder b = new StringBuilder();
        header.strip().codePoints().filter(cp -> !Names.isControl(cp) && !Names.isBidiControl(cp))
                .limit(OPERATOR_MAX_CHARS).forEach(b::appendCodePoint);
        return b.isEmpty() ? "unknown" : b.toString();
    }

    private static int forbidden(String s) {
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            if ((Names.isControl(cp) && cp != '\n' && cp != '\r' && cp != '\t') || Names.isBidiControl(cp)) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /** Arguments as JSON when they parse, else as the text the model sent. */
    public JsonNode argumentsJson(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(arguments);
        } catch (java.io.IOException e) {
            return mapper.getNodeFactory().textNode(arguments);
        }
    }
}
