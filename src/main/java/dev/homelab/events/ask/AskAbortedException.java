package dev.homelab.events.ask;

import io.quarkiverse.langchain4j.runtime.PreventsErrorHandlerExecution;

/**
 * Thrown from a tool executor to stop a question's tool loop: the model kept calling tools past the limit, or
 * the question's total time ran out. It must escape the loop, which otherwise turns a tool's exception into text
 * for the model; {@link PreventsErrorHandlerExecution} is the marker quarkus-langchain4j honours for that.
 */
public class AskAbortedException extends RuntimeException implements PreventsErrorHandlerExecution {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        tool_call_limit,
        timeout
    }

    private final Reason reason;

    public AskAbortedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
