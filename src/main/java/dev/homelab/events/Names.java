package dev.homelab.events;

import java.util.regex.Pattern;

/**
 * Character rules shared by every writer (see docs/format.md). Names that become path segments (node,
 * type) must match a strict pattern; free-text names (source, service, correlation id) must not carry
 * control or bidirectional-override characters.
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

    /** First code point that is a control or bidirectional control character, or -1. */
    public static int firstForbiddenCharacter(String s) {
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            if (isControl(cp) || isBidiControl(cp)) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
