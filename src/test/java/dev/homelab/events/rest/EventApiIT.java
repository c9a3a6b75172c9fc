package dev.homelab.events.rest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same REST suite against the packaged application (target/quarkus-app). */
@QuarkusIntegrationTest
class EventApiIT extends EventApiTest {
}
