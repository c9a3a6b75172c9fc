package dev.homelab.events.ask;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.homelab.events.StoreUnavailableException;
import dev.homelab.events.agent.LangChain4jTools;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderResult;

/**
 * The catalog's read tools as the ask agent sees them: every executor of {@link LangChain4jTools} wrapped in
 * the per-question guard. The guard counts calls against homelab.ask.max-tool-calls, runs nothing once the
 * question's time is up, cuts each result to the token budget, and wraps it in an {@code <event-data>} block so
 * the model reads event text as quoted data. Specifications pass through unchanged.
 */
@ApplicationScoped
public class AskToolProvider implements Supplier<ToolProvider> {

    private static final Logger LOG = Logger.getLogger(AskToolProvider.class);

    @Inject
    LangChain4jTools tools;

    private volatile Map<ToolSpecification, ToolExecutor> guarded;

    @Override
    public ToolProvider get() {
        return request -> new ToolProviderResult(guarded());
    }

    private Map<ToolSpecification, ToolExecutor> guarded() {
        Map<ToolSpecification, ToolExecutor> g = guarded;
        if (g == null) {
            Map<ToolSpecification, ToolExecutor> built = new LinkedHashMap<>();
            // the catalog's tools do not depend on the request: build the guarded set once
            tools.provideTools(null).aiServiceTools()
                    .forEach(t -> built.put(t.toolSpecification(), new Guard(t.name(), t.toolExecutor())));
            guarded = g = Collections.unmodifiableMap(built);
        }
        return g;
    }

    /** Names of the tools the ask agent is offered. */
    List<String> names() {
        return guarded().keySet().stream().map(ToolSpecification::name).toList();
    }

    /**
     * LangChain4jTools answers a bad call as text for the model to read (see its executor) rather than as an
     * error result; these are its prefixes, so the call can be recorded with status {@code error}.
     */
    static boolean isErrorText(String text) {
        return text != null && (text.startsWith("Invalid arguments:") || text.startsWith("Not found:"));
    }

    /** Before a call runs: its place in the question's budget. Shared with {@link RefuseUnofferedTools}. */
    static AskContext admit(String name, String arguments) {
        AskContext ctx = AskContext.current();
        if (ctx == null) {
            // the AI service is only meant to run inside AskService, which binds a context; anything else runs nothing
            throw new IllegalStateException("the ask tools run only within a question of POST /api/ask");
        }
        if (ctx.abandoned()) {
            ctx.record(name, arguments, AskContext.Status.over_limit);
            throw new AskAbortedException(AskAbortedException.Reason.timeout, "the question's total time ran out");
        }
        if (!ctx.tryAcquireCall()) {
            ctx.record(name, arguments, AskContext.Status.over_limit);
            if (ctx.refusedOverLimit() > 1) {
                // the model was told once to answer and kept calling: stop rather than loop
                throw new AskAbortedException(AskAbortedException.Reason.tool_call_limit,
                        "the model kept calling tools after the limit of " + ctx.maxToolCalls() + " tool calls");
            }
            return null;
        }
        return ctx;
    }

    static String overLimitText(String name) {
        return AskPrompts.overLimit(name, AskContext.current().maxToolCalls());
    }

    /** Quotes a tool result as data and cuts it to the budget; remembers the event ids the model was shown. */
    static String quote(AskContext ctx, String tool, String text) {
        String body = text;
        if (body.length() > ctx.budgetChars()) {
            int cut = ctx.budgetChars();
            if (Character.isHighSurrogate(body.charAt(cut - 1))) {
                cut--;
            }
            body = body.substring(0, cut) + "\n" + AskPrompts.resultCut(cut, text.length());
        }
        ctx.sawToolResult(body);
        return "<event-data tool=\"" + tool + "\" id=\"" + ctx.nonce() + "\">\n" + body + "\n</event-data id=\""
                + ctx.nonce() + "\">";
    }

    static final class Guard implements ToolExecutor {
        private final String name;
        private final ToolExecutor delegate;

        Guard(String name, ToolExecutor delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public String execute(ToolExecutionRequest request, Object memoryId) {
            return executeWithContext(request, null).resultText();
        }

        @Override
        public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
            AskContext ctx = admit(name, request.arguments());
            if (ctx == null) {
                return ToolExecutionResult.builder().isError(true).resultText(overLimitText(name)).build();
            }
            ToolExecutionResult r;
            try {
                r = delegate.executeWithContext(request, context);
            } catch (StoreUnavailableException e) {
                ctx.record(name, request.arguments(), AskContext.Status.error);
                return ToolExecutionResult.builder().isError(true).resultText(AskPrompts.storeUnavailable(e.getMessage()))
                        .build();
            } catch (RuntimeException e) {
                // a defect, not the model's fault: the cause goes to the log, the model gets no stack trace
                LOG.warnf(e, "Tool %s failed", name);
                ctx.record(name, request.arguments(), AskContext.Status.error);
                return ToolExecutionResult.builder().isError(true).resultText(AskPrompts.failed(name)).build();
            }
            boolean error = r.isError() || isErrorText(r.resultText());
            ctx.record(name, request.arguments(), error ? AskContext.Status.error : AskContext.Status.ok);
            return ToolExecutionResult.builder().isError(error).resultText(quote(ctx, name, r.resultText())).build();
        }
    }
}
