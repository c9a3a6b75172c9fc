package dev.homelab.events.ask;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.ToolExecutionResultMessage;

/**
 * What happens when the model names a tool it was not offered: a write tool of the catalog (emit_event,
 * record_remediation) or a name it made up. Nothing is run; the call is recorded as refused and counts against
 * the question's tool-call limit, and the model is told it can only read. Replaces LangChain4j's default, which
 * would fail the whole question.
 */
@ApplicationScoped
public class RefuseUnofferedTools implements Function<ToolExecutionRequest, ToolExecutionResultMessage> {

    @Inject
    AskToolProvider tools;

    @Override
    public ToolExecutionResultMessage apply(ToolExecutionRequest request) {
        String name = request.name();
        AskContext ctx = AskToolProvider.admit(name, request.arguments());
        String text;
        if (ctx == null) {
            text = AskToolProvider.overLimitText(name);
        } else {
            ctx.record(name, request.arguments(), AskContext.Status.refused);
            text = AskPrompts.refused(name, String.join(", ", tools.names()));
        }
        return ToolExecutionResultMessage.from(request, text);
    }
}
