package dev.homelab.events.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class PayloadBudgetTest {

    final PayloadBudget budget = new PayloadBudget(512);
    final ObjectMapper m = new ObjectMapper();

    @Test
    void payloadWithinBudgetIsUntouched() {
        ObjectNode p = m.createObjectNode().put("stage", "verify");
        PayloadBudget.Cut cut = budget.apply(p);
        assertSame(p, cut.payload());
        assertFalse(cut.truncated());
        assertNull(budget.apply(null).payload());
    }

    @Test
    void largePayloadKeepsSmallFieldsCutsLongStringsAndStaysAnObjectWithinBudget() {
        ObjectNode p = m.createObjectNode().put("stage", "pull").put("log", "x".repeat(5000));
        p.putArray("lines").add("y".repeat(600));
        p.put("error", "image not found");
        PayloadBudget.Cut cut = budget.apply(p);
        assertTrue(cut.truncated());
        assertEquals("pull", cut.payload().get("stage").asText());
        assertEquals("image not found", cut.payload().get("error").asText(), "fields after a dropped one still fit");
        assertTrue(cut.payload().get("log").asText().length() <= 257, "long strings are shortened");
        assertFalse(cut.payload().has("lines"), "a container larger than what is left is dropped");
        assertTrue(cut.payload().toString().getBytes(StandardCharsets.UTF_8).length <= 512);
    }
}
