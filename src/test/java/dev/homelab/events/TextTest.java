package dev.homelab.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The one shortening and escaping helper: code points, never half a surrogate pair; controls never raw. */
class TextTest {

    @Test
    void shortenKeepsShortTextAndCutsLongTextWithAnEllipsis() {
        assertEquals("abc", Text.shorten("abc", 3));
        assertEquals("ab…", Text.shorten("abc", 2));
        assertEquals("", Text.shorten("", 0));
        assertNull(Text.shorten(null, 5));
    }

    @Test
    void shortenCountsCodePointsAndNeverSplitsASurrogatePair() {
        String emoji = "😀😀😀"; // six chars, three code points
        assertEquals(emoji, Text.shorten(emoji, 3));
        assertEquals("😀…", Text.shorten(emoji, 1));
    }

    @Test
    void escapeWritesLineBreaksAndControlsSoALogLineCannotBeForged() {
        assertEquals("a\\r\\nINFO forged\\u202E\\u0000", Text.escape("a\r\nINFO forged\u202e\u0000"));
        assertEquals("null", Text.escape(null));
        assertEquals("émoji 😀 中文", Text.escape("émoji 😀 中文"));
    }

    @Test
    void echoEscapesEveryControlAsUnicodeAndShortensTheRawValue() {
        assertEquals("a\\u000D\\u000Aforged\\u202E", Text.echo("a\r\nforged\u202e", 80));
        assertEquals("xx…", Text.echo("xxx", 2));
        assertEquals("\\u0000…", Text.echo("\u0000\u0000", 1), "the limit counts characters of the value, not of the escape");
        assertNull(Text.echo(null, 3));
    }
}
