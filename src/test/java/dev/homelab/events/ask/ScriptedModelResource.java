package dev.homelab.events.ask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the {@link ScriptedModel} before the app and points quarkus-langchain4j at it through the documented
 * homelab.ask.* keys, with limits small enough to test: 3 tool calls, 6 s per question.
 */
public class ScriptedModelResource implements QuarkusTestResourceLifecycleManager {

    /** Marks the test field that receives the running model. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    static final int MAX_TOOL_CALLS = 3;
    static final int TOTAL_TIMEOUT_SECONDS = 6;

    private ScriptedModel model;

    @Override
    public Map<String, String> start() {
        try {
            model = new ScriptedModel();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "homelab.ask.base-url", model.baseUrl(),
                "homelab.ask.model", "scripted-model",
                "homelab.ask.api-key", "test-key",
                "homelab.ask.timeout", "30s",
                "homelab.ask.max-tool-calls", String.valueOf(MAX_TOOL_CALLS),
                "homelab.ask.total-timeout", TOTAL_TIMEOUT_SECONDS + "s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(model, new TestInjector.AnnotatedAndMatchesType(Inject.class, ScriptedModel.class));
    }

    @Override
    public void stop() {
        if (model != null) {
            model.stop();
        }
    }
}
