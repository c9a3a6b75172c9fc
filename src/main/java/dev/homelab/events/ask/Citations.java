package dev.homelab.events.ask;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The event ids an answer rests on. The ids the answer cites that a tool really returned (source {@code answer});
 * when it cites none, every event id the tools returned (source {@code tool_results}). Ids the answer gives that
 * no tool returned are listed apart, as unverified.
 */
record Citations(List<String> cited, String source, List<String> unverified) {

    static Citations of(String answer, List<String> seen, boolean forceAll) {
        Set<String> inAnswer = new LinkedHashSet<>();
        Matcher m = AskContext.EVENT_ID.matcher(answer.toLowerCase(Locale.ROOT));
        while (m.find()) {
            inAnswer.add(m.group());
        }
        List<String> cited = inAnswer.stream().filter(seen::contains).toList();
        List<String> unverified = inAnswer.stream().filter(id -> !seen.contains(id)).toList();
        if (cited.isEmpty() || forceAll) {
            return new Citations(List.copyOf(seen), "tool_results", unverified);
        }
        return new Citations(cited, "answer", unverified);
    }
}
