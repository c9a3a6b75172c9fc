package dev.homelab.events.ask;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.langchain4j.RegisterAiService;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;

/**
 * The LangChain4j AI service behind POST /api/ask. Its tools are the read tools of the one catalog (through
 * {@link AskToolProvider}, which enforces the per-question limits); a call naming any other tool is refused by
 * {@link RefuseUnofferedTools}. Only {@link AskService} calls it, on a thread bound to the question's
 * {@link AskContext}. Application scoped (not the default request scope) because that thread is not a request.
 */
@RegisterAiService(toolProviderSupplier = AskToolProvider.class, toolHallucinationStrategy = RefuseUnofferedTools.class, chatMemoryProviderSupplier = AskMemory.class, systemMessageProviderSupplier = AskSystemPrompt.class)
@ApplicationScoped
public interface AskAssistant {

    /** One question; {@code questionId} keeps each question's conversation apart and is evicted afterwards. */
    String answer(@MemoryId String questionId, @UserMessage String message);
}
