package dev.homelab.events.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test has a deadline (issue 12): the build gives JUnit a default timeout, so a hang fails the test
 * instead of stalling the build. This checks that the setting reaches the test engine.
 */
class TestDeadlinesTest {

    private static ExtensionContext context;

    @RegisterExtension
    static final BeforeEachCallback CAPTURE = c -> context = c;

    @Test
    void everyTestHasADefaultTimeout() {
        assertEquals("3 m", context.getConfigurationParameter("junit.jupiter.execution.timeout.default").orElse(null));
        assertEquals("enabled", context.getConfigurationParameter("junit.jupiter.execution.timeout.mode").orElse(null));
    }
}
