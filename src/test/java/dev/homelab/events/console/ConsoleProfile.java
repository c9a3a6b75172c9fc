package dev.homelab.events.console;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.homelab.events.ask.ScriptedModelResource;

/** The console's server: a bearer token for writes, and a scripted OpenAI-compatible model behind /api/ask. */
public class ConsoleProfile implements QuarkusTestProfile {

    public static final String TOKEN = "console-test-token-5c2e81f0";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("homelab.security.token", TOKEN);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScriptedModelResource.class));
    }
}
