package dev.homelab.events.security;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

import dev.homelab.events.config.SecurityConfig;

/**
 * Sets Jackson's read limits explicitly on the application's ObjectMapper, which parses REST bodies,
 * function-calling arguments and event files. Jackson checks them while tokenizing, so a hostile document
 * (thousands of nested arrays, a huge string or number) fails fast with a {@code StreamConstraintsException}
 * (a 400 problem) before any tree is built, instead of exhausting memory or the stack. Jackson's own defaults
 * change between versions; the values here are ours and documented in SecurityConfig.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    private final SecurityConfig.Json limits;

    public JsonLimits(SecurityConfig config) {
        this.limits = config.json();
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(constraints(limits));
        // One document per body or file: `{...}}` or `{} {}` is refused, as the bash and Python readers refuse it.
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public static StreamReadConstraints constraints(SecurityConfig.Json limits) {
        return StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(limits.maxNameLength())
                .build();
    }
}
