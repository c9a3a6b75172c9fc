package dev.homelab.events.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Natural-language questions over the event tools ({@code homelab.ask.*}, or HOMELAB_ASK_* environment variables).
 * The model endpoint itself is configured through quarkus-langchain4j-openai, whose keys application.properties
 * maps onto {@link #baseUrl()}, {@link #model()}, {@link #apiKey()} and {@link #timeout()}.
 */
@ConfigMapping(prefix = "homelab.ask")
public interface AskConfig {

    /** OpenAI-compatible base URL ending in /v1, e.g. http://127.0.0.1:11434/v1 for Ollama (HOMELAB_ASK_BASE_URL); unset = no model. */
    @WithName("base-url")
    Optional<String> baseUrl();

    /** Model name as the endpoint knows it, e.g. llama3.1:8b (HOMELAB_ASK_MODEL); unset = no model. */
    Optional<String> model();

    /** API key sent as a bearer token (HOMELAB_ASK_API_KEY); local servers ignore it. */
    @WithName("api-key")
    Optional<String> apiKey();

    /** Timeout of one request to the model (HOMELAB_ASK_TIMEOUT). */
    @WithDefault("60s")
    Duration timeout();

    /** Most tool calls the model may make for one question; further calls are refused, then the question is stopped (HOMELAB_ASK_MAX_TOOL_CALLS). */
    @WithName("max-tool-calls")
    @WithDefault("8")
    int maxToolCalls();

    /** Wall-clock limit of one question, all model turns and tool calls together; past it /api/ask answers 504 (HOMELAB_ASK_TOTAL_TIMEOUT). */
    @WithName("total-timeout")
    @WithDefault("120s")
    Duration totalTimeout();

    /** Each tool result is cut to about this many tokens (4 characters each) before it reaches the model (HOMELAB_ASK_TOOL_RESULT_BUDGET_TOKENS). */
    @WithName("tool-result-budget-tokens")
    @WithDefault("2000")
    int toolResultBudgetTokens();

    /** Longest accepted question, in characters (HOMELAB_ASK_MAX_QUESTION_CHARS). */
    @WithName("max-question-chars")
    @WithDefault("2000")
    int maxQuestionChars();

    /** Event type of the audit record of each question; operator_query is built in, any other must be an accepted type (HOMELAB_ASK_AUDIT_TYPE). */
    @WithName("audit-type")
    @WithDefault("operator_query")
    String auditType();

    /** Questions answered at the same time; more wait in a short queue, beyond it /api/ask answers 503 (HOMELAB_ASK_MAX_CONCURRENT). */
    @WithName("max-concurrent")
    @WithDefault("2")
    int maxConcurrent();
}
