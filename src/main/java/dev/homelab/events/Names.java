package dev.homelab.events;

import java.util.regex.Pattern;

/**
 * Character rules shared by every writer (see docs/format.md). Names that become path segments (node,
 * type) must match a strict pattern; node names are case-insensitive (DNS) and stored in lower case. Free-text
 * names (source, service, correlation id) must not carry control, format (zero-width, BOM, bidirectional) or
 * separator characters, nor lone surrogates, nor mix look-alike scripts inside a word.
 */
public final class Names {
    /** Event types: the pattern of both normalized and custom types. */
    public static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** Hostname: dot-separated labels of letters, digits and inner hyphens. */
    public static final Pattern NODE = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public static final int NODE_MAX_LENGTH = 253;
    public static final int TEXT_MAX_LENGTH = 128;

    private Names() {
    }

    public static boolean isValidType(String s) {
        return s != null && TYPE.matcher(s).matches();
    }

    public static boolean isValidNode(String s) {
        return s != null && s.length() <= NODE_MAX_LENGTH && NODE.matcher(s).matches();
    }

    /** C0 and C1 control characters. */
    public static boolean isControl(int cp) {
        return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
    }

    /** Characters that reorder displayed text and can disguise a name (Trojan Source). */
    public static boolean isBidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /**
     * Invisible format characters (Unicode category Cf, as of Unicode 15) and the line and paragraph separators
     * U+2028 and U+2029: zero-width space and joiners, the byte order mark, soft hyphen, bidirectional controls,
     * tag characters. They make two names that look the same different names. The list is explicit (not the JDK's
     * Unicode tables) so that the bash and Python writers, whose Unicode versions differ, refuse exactly the same.
     */
    private static final int[][] FORMAT = {
            { 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD }, { 0x070F, 0x070F },
            { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E }, { 0x200B, 0x200F }, { 0x2028, 0x202E },
            { 0x2060, 0x2064 }, { 0x2066, 0x206F }, { 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD },
            { 0x110CD, 0x110CD }, { 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A },
            { 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F } };

    /** A format character or line/paragraph separator (see {@link #FORMAT}). */
    public static boolean isFormat(int cp) {
        if (cp < 0x00AD) {
            return false;
        }
        for (int[] range : FORMAT) {
            if (cp >= range[0] && cp <= range[1]) {
                return true;
            }
        }
        return false;
    }

    /** A UTF-16 surrogate on its own: what {@code "\}{@code ud800"} in JSON decodes to; not a Unicode character. */
    public static boolean isSurrogate(int cp) {
        return cp >= 0xD800 && cp <= 0xDFFF;
    }

    /** Characters that do not show, or show as something else: control, format, separator or lone surrogate. */
    public static boolean isHidden(int cp) {
        return isControl(cp) || isFormat(cp) || isSurrogate(cp);
    }

    /** First code point that is {@linkplain #isHidden hidden} (a lone surrogate counts as one), or -1. */
    public static int firstForbiddenCharacter(String s) {
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            if (isHidden(cp)) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** What kind of forbidden character {@code cp} is, for messages. */
    public static String describeForbidden(int cp) {
        if (isSurrogate(cp)) {
            return String.format("a lone surrogate \\u%04X (not valid Unicode)", cp);
        }
        if (isControl(cp)) {
            return String.format("the control character U+%04X", cp);
        }
        if (isBidiControl(cp)) {
            return String.format("the bidirectional control U+%04X", cp);
        }
        return String.format("the invisible format character U+%04X", cp);
    }

    /** Index of the first UTF-16 unit of {@code s} that is a surrogate without its pair, or -1. */
    public static int firstLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code s} with each lone surrogate written as the text {@code \}{@code uD800}, so it can be shown and serialized. */
    public static String escapeLoneSurrogates(String s) {
        if (firstLoneSurrogate(s) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> {
            if (isSurrogate(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /** The scripts whose letters look alike (a, а, α): mixing them inside one word is how names are spoofed. */
    public enum Script {
        LATIN,
        GREEK,
        CYRILLIC
    }

    /** The look-alike script of a letter, or null for anything else (digits, punctuation, other scripts). */
    public static Script lookAlikeScript(int cp) {
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == 0x00AA || cp == 0x00BA
                || (cp >= 0x00C0 && cp <= 0x024F && cp != 0x00D7 && cp != 0x00F7) || (cp >= 0x1E00 && cp <= 0x1EFF)) {
            return Script.LATIN;
        }
        if ((cp >= 0x0370 && cp <= 0x03FF) || (cp >= 0x1F00 && cp <= 0x1FFF)) {
            return Script.GREEK;
        }
        if (cp >= 0x0400 && cp <= 0x052F) {
            return Script.CYRILLIC;
        }
        return null;
    }

    /** Combining diacritical marks (U+0300-U+036F) belong to the letter before them. */
    private static boolean isCombiningMark(int cp) {
        return cp >= 0x0300 && cp <= 0x036F;
    }

    /**
     * Index (in UTF-16 units) of the first letter that directly follows a letter of another look-alike script
     * ({@code mоsquitto} with a Cyrillic {@code о}), or -1. Combining marks between the two do not separate them;
     * anything else (a space, a hyphen, a digit) does, so {@code mosquitto-сервер} is fine.
     */
    public static int firstMixedScript(String s) {
        Script previous = null;
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            if (!isCombiningMark(cp)) {
                Script script = lookAlikeScript(cp);
                if (script != null && previous != null && script != previous) {
                    return i;
                }
                previous = script;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
