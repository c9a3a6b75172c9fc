package dev.homelab.events.ask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.FieldError;
import dev.homelab.events.InvalidInputException;
import dev.homelab.events.Names;
import dev.homelab.events.Text;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.PromptLibrary;
import dev.homelab.events.config.AskConfig;
import dev.homelab.events.service.TimeExpressions;

/**
 * A question as an operator asks it: the checks of its fields, who asks (the X-Operator header, cleaned), and the
 * user message the model receives ({@code prompts/ask-question.md}, with the time-window line).
 */
@ApplicationScoped
public class AskQuestions {

    static final int OPERATOR_MAX_CHARS = 64;

    @Inject
    AskConfig config;
    @Inject
    PromptLibrary prompts;

    private volatile PromptLibrary.Prompt questionPrompt;

    /** Loads the prompt texts, so a missing file fails the start and not a question. */
    void check() {
        prompt();
        AskPrompts.check();
    }

    /** Validates the request body's values; every bad field is named. Changes nothing. */
    AskService.Question validate(String question, String since, String operator) {
        List<FieldError> errors = new ArrayList<>();
        if (question == null || question.isBlank()) {
            errors.add(new FieldError("question", null, "is required: the question to answer, in plain words"));
        } else if (question.length() > config.maxQuestionChars()) {
            errors.add(new FieldError("question", Text.shorten(question, 80), "is " + question.length()
                    + " characters; at most " + config.maxQuestionChars() + " allowed (homelab.ask.max-question-chars)"));
        } else if (forbidden(question) >= 0) {
            errors.add(new FieldError("question", null, String.format("contains the control character U+%04X; only "
                    + "printable text, newlines and tabs are allowed", forbidden(question))));
        }
        if (since != null && !since.isBlank()) {
            try {
                TimeExpressions.parse("since", since, Instant.now());
            } catch (InvalidInputException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new AskService.Question(question.strip(), since == null || since.isBlank() ? null : since.strip(),
                operator(operator));
    }

    /** The user message of a question asked at {@code now}. */
    String userMessage(AskService.Question q, Instant now) {
        String window = AskPrompts.window(
                q.since() == null ? null : Timestamps.toJson(TimeExpressions.parse("since", q.since(), now)));
        // the question goes in last, so text in it cannot be mistaken for one of the other placeholders
        Map<String, String> values = new LinkedHashMap<>();
        values.put("now", Timestamps.toJson(now));
        values.put("window", window);
        values.put("question", q.text());
        return prompt().render(values);
    }

    private PromptLibrary.Prompt prompt() {
        PromptLibrary.Prompt p = questionPrompt;
        if (p == null) {
            questionPrompt = p = prompts.get("ask-question");
        }
        return p;
    }

    /** The X-Operator header, cleaned: it is who the audit trail says asked. */
    static String operator(String header) {
        if (header == null || header.isBlank()) {
            return "unknown";
        }
        StringBuilder b = new StringBuilder();
        header.strip().codePoints().filter(cp -> !Names.isControl(cp) && !Names.isBidiControl(cp))
                .limit(OPERATOR_MAX_CHARS).forEach(b::appendCodePoint);
        return b.isEmpty() ? "unknown" : b.toString();
    }

    /** The first character a question may not hold (controls other than newline and tab, bidi controls), or -1. */
    private static int forbidden(String s) {
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            if ((Names.isControl(cp) && cp != '\n' && cp != '\r' && cp != '\t') || Names.isBidiControl(cp)) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }
}
