package dev.homelab.events.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The ask feature's small rules, without a server: citations, quoting and cutting, the operator header. */
class AskRulesTest {

    static final String A = "0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11";
    static final String B = "7c1e9a30-2b1d-4c8e-8f00-0a1b2c3d4e5f";
    static final String C = "11111111-2222-4333-8444-555555555555";

    @Test
    void citationsAreTheAnswersIdsThatToolsReturnedInTheAnswersOrder() {
        Citations c = Citations.of("It failed [" + B + "] after [" + A.toUpperCase() + "].", List.of(A, B),
                false);
        assertEquals(List.of(B, A), c.cited());
        assertEquals("answer", c.source());
        assertEquals(List.of(), c.unverified());
    }

    @Test
    void withoutAValidCitationEveryReturnedIdIsCitedAndInventedOnesAreSetApart() {
        Citations c = Citations.of("See [" + C + "].", List.of(A, B), false);
        assertEquals(List.of(A, B), c.cited());
        assertEquals("tool_results", c.source());
        assertEquals(List.of(C), c.unverified());
    }

    @Test
    void resultsAreQuotedWithTheQuestionsNonceAndCutToTheBudget() {
        AskContext ctx = new AskContext(8, 20, Instant.now().plusSeconds(60));
        String text = "{\"id\":\"" + A + "\",\"x\":\"" + "y".repeat(100) + "\"}";

        String quoted = AskToolProvider.quote(ctx, "list_events", text);

        assertTrue(quoted.startsWith("<event-data tool=\"list_events\" id=\"" + ctx.nonce() + "\">\n"), quoted);
        assertTrue(quoted.endsWith("\n</event-data id=\"" + ctx.nonce() + "\">"), quoted);
        assertTrue(quoted.contains("[cut: 80 of " + text.length() + " characters shown"), quoted);
        // the id was within the 80 characters shown, so it may be cited
        assertEquals(List.of(A), ctx.snapshot().seenIds());
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        AskContext ctx = new AskContext(8, 1, Instant.now().plusSeconds(60));
        String text = "abc\uD83D\uDE00defgh"; // the emoji's high surrogate is the 4th char, the budget is 4 chars

        String quoted = AskToolProvider.quote(ctx, "t", text);

        assertTrue(quoted.contains("\nabc\n[cut: 3 of "), quoted);
    }

    @Test
    void idsBeyondTheCutAreNotCitable() {
        AskContext ctx = new AskContext(8, 5, Instant.now().plusSeconds(60));
        AskToolProvider.quote(ctx, "t", "x".repeat(30) + A);
        assertEquals(List.of(), ctx.snapshot().seenIds());
    }

    @Test
    void theOperatorHeaderIsCleanedAndBounded() {
        assertEquals("unknown", AskQuestions.operator(null));
        assertEquals("unknown", AskQuestions.operator("  "));
        assertEquals("alice", AskQuestions.operator(" al\u202Eice\n "));
        assertEquals(AskQuestions.OPERATOR_MAX_CHARS, AskQuestions.operator("x".repeat(500)).length());
    }

    @Test
    void aToolCallBeyondTheLimitIsRefusedOnceThenTheQuestionStops() {
        AskContext ctx = new AskContext(1, 100, Instant.now().plusSeconds(60));
        ctx.bind();
        try {
            assertEquals(ctx, AskToolProvider.admit("get_event", "{}"));
            assertEquals(null, AskToolProvider.admit("get_event", "{}"));
            AskAbortedException e = org.junit.jupiter.api.Assertions.assertThrows(AskAbortedException.class,
                    () -> AskToolProvider.admit("get_event", "{}"));
            assertEquals(AskAbortedException.Reason.tool_call_limit, e.reason());
        } finally {
            AskContext.unbind();
        }
    }

    @Test
    void noToolRunsAfterTheQuestionWasGivenUpOn() {
        AskContext ctx = new AskContext(8, 100, Instant.now().plusSeconds(60));
        ctx.bind();
        try {
            ctx.abandon();
            AskAbortedException e = org.junit.jupiter.api.Assertions.assertThrows(AskAbortedException.class,
                    () -> AskToolProvider.admit("get_event", "{}"));
            assertEquals(AskAbortedException.Reason.timeout, e.reason());
        } finally {
            AskContext.unbind();
        }
    }
}
