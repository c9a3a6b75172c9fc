package dev.homelab.events.security;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A server with a bearer token, still on loopback. */
public class TokenProfile implements QuarkusTestProfile {
    public static final String TOKEN = "test-token-6f1d2c9a8b7e4f30";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("homelab.security.token", TOKEN);
    }
}
