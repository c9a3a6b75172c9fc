package dev.homelab.events.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogBudgetTest {

    @Test
    void admitsTheBudgetThenCountsWhatItHolds() {
        LogBudget budget = new LogBudget(3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, budget.admit());
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, budget.admit());
        }
        assertEquals("", LogBudget.suppressedNote(0));
        assertTrue(LogBudget.suppressedNote(1000).contains("1000 similar lines"));
    }
}
