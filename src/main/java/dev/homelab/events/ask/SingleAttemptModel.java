package dev.homelab.events.ask;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.langchain4j.ModelBuilderCustomizer;

import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * One attempt per model turn. quarkus-langchain4j-openai refuses {@code max-retries} below 1 and passes it to
 * LangChain4j as the number of <em>re</em>tries, so the lowest configurable value still calls an unreachable or
 * slow model twice, doubling the wait before /api/ask can answer 503. The limits of a question (tool calls,
 * total timeout) are ours; a silent retry would only spend them.
 */
@ApplicationScoped
public class SingleAttemptModel implements ModelBuilderCustomizer<OpenAiChatModel.OpenAiChatModelBuilder> {

    @Override
    public void customize(OpenAiChatModel.OpenAiChatModelBuilder builder) {
        builder.maxRetries(0);
    }
}
