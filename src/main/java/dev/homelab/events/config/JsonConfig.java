package dev.homelab.events.config;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

import dev.homelab.events.ExactJson;

/**
 * Gives the application's ObjectMapper the format's JSON rules ({@link ExactJson}): numbers keep their literal,
 * repeated keys are refused, strings are written as raw UTF-8 with lower-case escapes. That mapper parses REST
 * bodies and function-calling arguments, and Quarkus' Vert.x JSON codec is a copy of it, so MCP messages (HTTP and
 * stdio) are decoded and encoded by the same rules: every face takes and returns a payload's numbers exactly.
 */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        ExactJson.configure(mapper);
    }
}
