package dev.homelab.events.ask;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The app talking to a {@link ScriptedModel}; only the test classes that name this profile get it. */
public class ScriptedModelProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScriptedModelResource.class));
    }
}
