package dev.homelab.events.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Prompt texts kept as Markdown in the top-level {@code prompts/} folder (packaged into the jar under
 * {@code prompts/}), never in Java strings. Each file starts with a small header:
 *
 * <pre>
 * ---
 * description: one line for the prompt list
 * arg correlation_id: what the argument is
 * ---
 * body with {{correlation_id}} placeholders
 * </pre>
 *
 * Loaded once at start, so a missing or malformed file fails the start, not a later request.
 */
@ApplicationScoped
public class PromptLibrary {

    /** The prompts offered to MCP clients, by file name without {@code .md}. */
    public static final List<String> MCP_PROMPTS = List.of("triage_incident", "plan_remediation", "postmortem");

    public record Argument(String name, String description) {
    }

    public record Prompt(String name, String description, List<Argument> arguments, String body) {

        /** The body with each {{argument}} replaced; every argument is required. */
        public String render(Map<String, String> values) {
            String out = body;
            for (Argument a : arguments) {
                String v = values.get(a.name());
                if (v == null || v.isBlank()) {
                    throw new dev.homelab.events.InvalidInputException(a.name(), null,
                            "is required: " + a.description());
                }
                out = out.replace("{{" + a.name() + "}}", v);
            }
            return out;
        }
    }

    private static final Pattern ARG = Pattern.compile("arg ([a-z_]+):\\s*(.+)");

    private final Map<String, Prompt> prompts = new LinkedHashMap<>();

    public PromptLibrary() {
        for (String name : MCP_PROMPTS) {
            prompts.put(name, load(name));
        }
    }

    public List<Prompt> mcpPrompts() {
        return List.copyOf(prompts.values());
    }

    /** Any prompt file of the folder, for instance the agent's system prompt. */
    public Prompt get(String name) {
        Prompt p = prompts.get(name);
        return p != null ? p : load(name);
    }

    /** Reads {@code prompts/<name>.md} from the classpath; fails with the path when it is missing. */
    public static Prompt load(String name) {
        String path = "prompts/" + name + ".md";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("prompt file " + path + " is missing from the classpath");
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read prompt file " + path, e);
        }
    }

    static Prompt parse(String name, String text) {
        String t = text.replace("\r\n", "\n");
        if (!t.startsWith("---\n")) {
            return new Prompt(name, name, List.of(), t.strip());
        }
        int end = t.indexOf("\n---\n", 4);
        if (end < 0) {
            throw new IllegalStateException("prompt " + name + ": header not closed by a '---' line");
        }
        String description = name;
        List<Argument> args = new ArrayList<>();
        for (String line : t.substring(4, end).split("\n")) {
            Matcher m = ARG.matcher(line.strip());
            if (m.matches()) {
                args.add(new Argument(m.group(1), m.group(2).strip()));
            } else if (line.startsWith("description:")) {
                description = line.substring("description:".length()).strip();
            }
        }
        return new Prompt(name, description, List.copyOf(args), t.substring(end + 5).strip());
    }
}
