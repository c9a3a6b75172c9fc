package dev.homelab.events.ask;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;

/**
 * The conversation of one question (system prompt, question, tool calls and results). quarkus-langchain4j runs
 * the tool loop over chat memory, so some memory is needed; the default window of 10 messages would drop tool
 * results mid-question. This window is large enough for any question the limits allow, and AskService evicts
 * it when the question ends: nothing is remembered across questions.
 */
@ApplicationScoped
public class AskMemory implements Supplier<ChatMemoryProvider> {

    static final int MAX_MESSAGES = 1000;

    @Override
    public ChatMemoryProvider get() {
        return id -> MessageWindowChatMemory.builder().id(id).maxMessages(MAX_MESSAGES).build();
    }
}
