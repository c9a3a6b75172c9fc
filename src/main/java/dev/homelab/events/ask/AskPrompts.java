package dev.homelab.events.ask;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.homelab.events.Text;
import dev.homelab.events.agent.PromptLibrary;

/**
 * The short texts the ask agent reads besides its system prompt: the time-window line of its question, and what
 * it is told when a tool call is refused, cut or fails. Kept as Markdown in {@code prompts/ask-*.md} like every
 * prompt text, loaded once (a missing file fails the first question and the start check of {@link AskService}).
 */
final class AskPrompts {

    static final int TOOL_NAME_MAX_CHARS = 64;

    private static final class Holder {
        static final PromptLibrary.Prompt WINDOW_SINCE = PromptLibrary.load("ask-window-since");
        static final PromptLibrary.Prompt WINDOW_NONE = PromptLibrary.load("ask-window-none");
        static final PromptLibrary.Prompt REFUSED = PromptLibrary.load("ask-tool-refused");
        static final PromptLibrary.Prompt OVER_LIMIT = PromptLibrary.load("ask-tool-over-limit");
        static final PromptLibrary.Prompt RESULT_CUT = PromptLibrary.load("ask-tool-result-cut");
        static final PromptLibrary.Prompt STORE_UNAVAILABLE = PromptLibrary.load("ask-tool-store-unavailable");
        static final PromptLibrary.Prompt FAILED = PromptLibrary.load("ask-tool-failed");
    }

    private AskPrompts() {
    }

    /** Loads every text now, so a missing file fails the start rather than a question. */
    static void check() {
        Holder.FAILED.body();
    }

    static String window(String since) {
        return since == null ? Holder.WINDOW_NONE.body() : render(Holder.WINDOW_SINCE, "since", since);
    }

    /** The model called a tool it was not offered; the name it gave goes in last, so it cannot fill another slot. */
    static String refused(String tool, String offered) {
        return render(Holder.REFUSED, "tools", offered, "tool", name(tool));
    }

    static String overLimit(String tool, int maxToolCalls) {
        return render(Holder.OVER_LIMIT, "max_tool_calls", String.valueOf(maxToolCalls), "tool", name(tool));
    }

    static String resultCut(int shown, int total) {
        return render(Holder.RESULT_CUT, "shown", String.valueOf(shown), "total", String.valueOf(total));
    }

    static String storeUnavailable(String detail) {
        return render(Holder.STORE_UNAVAILABLE, "detail", detail == null || detail.isBlank() ? "no detail" : detail);
    }

    static String failed(String tool) {
        return render(Holder.FAILED, "tool", tool);
    }

    /** A tool name as the model gave it, escaped and shortened: it is model output, quoted back. */
    private static String name(String tool) {
        return tool == null || tool.isBlank() ? "(no name)" : Text.echo(tool, TOOL_NAME_MAX_CHARS);
    }

    private static String render(PromptLibrary.Prompt p, String... namesAndValues) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return p.render(values);
    }
}
