package dev.homelab.events.ask;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged application with no model: it starts, its prompts are in the jar, and /api/ask answers 503. */
@QuarkusIntegrationTest
class AskWithoutModelIT extends AskWithoutModelTest {
}
