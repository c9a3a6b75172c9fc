package dev.homelab.events.ask;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.quarkiverse.langchain4j.runtime.aiservice.SystemMessageProvider;

/**
 * The system prompt of the ask agent, kept in {@code prompts/ask-system.md} (never a Java string) and packaged
 * into the jar under {@code prompts/}. Read once; served verbatim, so braces in it are not template syntax.
 * quarkus-langchain4j instantiates this class itself, hence the static holder.
 */
public class AskSystemPrompt implements SystemMessageProvider {

    static final String RESOURCE = "prompts/ask-system.md";

    private static final class Holder {
        static final String TEXT = load();
    }

    @Override
    public Optional<String> getSystemMessage(Object memoryId) {
        return Optional.of(Holder.TEXT);
    }

    public static String text() {
        return Holder.TEXT;
    }

    private static String load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            // quarkus:dev and tests run from the project folder, where the top-level prompts/ folder is
            Path file = Path.of(RESOURCE);
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ask system prompt " + RESOURCE, e);
        }
        throw new IllegalStateException("the ask system prompt " + RESOURCE + " is missing from the classpath and the "
                + "working directory");
    }
}
