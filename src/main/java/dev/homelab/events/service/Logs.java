package dev.homelab.events.service;

/** Escapes values before they reach a log line, so a field holding CR/LF cannot forge log entries. */
public final class Logs {
    private Logs() {
    }

    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (dev.homelab.events.Names.isControl(cp) || dev.homelab.events.Names.isBidiControl(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
