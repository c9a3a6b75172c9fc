package dev.homelab.events.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import io.quarkiverse.mcp.server.MetaKey;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.agent.ToolCatalog;

/**
 * The MCP App of the causal chain (the MCP Apps extension, {@code @modelcontextprotocol/ext-apps}, protocol
 * 2026-01-26): a {@code ui://} resource of type {@code text/html;profile=mcp-app} that a chat client renders in a
 * sandboxed frame beside a {@code get_causal_chain} result (the tool points at it with {@code _meta.ui.resourceUri},
 * see {@link McpFeatures}).
 *
 * <p>
 * The document is one self-contained HTML file, because a host loads it from the resource's text and gives it no
 * origin to fetch modules from: the console's own chain component ({@code console/chain-view.js} and the two
 * modules it imports) and the bridge ({@code mcp-app/chain-app.js}) are inlined as one module script, and the
 * console's style sheet as one style element. {@link #inline} is the tiny bundler that does it at start: each
 * module becomes a function returning its exports; it knows only the import and export forms these files use and
 * refuses any other, so an edit of the console that it cannot carry fails at start (and in McpAppsInlinerTest and
 * McpAppTest), not in a user's chat.
 */
@ApplicationScoped
public class McpApps {

    /** The MIME type hosts recognise as an MCP App (RESOURCE_MIME_TYPE of the extension). */
    public static final String MIME_TYPE = "text/html;profile=mcp-app";

    private static final String CONSOLE = "META-INF/resources/console/";
    /** The chain view's modules, each after those it imports. */
    private static final List<String> CHAIN_MODULES = List.of(CONSOLE + "dom.js", CONSOLE + "format.js",
            CONSOLE + "chain-view.js", "mcp-app/chain-app.js");

    private static final Pattern EXPORT = Pattern.compile("(?m)^export\\s+(?:async\\s+)?(?:function\\*?|const|let|class)\\s+"
            + "([A-Za-z_$][\\w$]*)");
    private static final Pattern IMPORT_NAMED = Pattern.compile("(?m)^import\\s*\\{([^}]*)}\\s*from\\s*'([^']+)';[ \\t]*$");
    private static final Pattern IMPORT_ALL = Pattern.compile("(?m)^import\\s*\\*\\s*as\\s+([A-Za-z_$][\\w$]*)\\s+from\\s*"
            + "'([^']+)';[ \\t]*$");
    private static final Pattern DARK = Pattern
            .compile("@media \\(prefers-color-scheme: dark\\) \\{\\s*:root \\{([^}]*)}\\s*}");
    private static final Pattern LEFT_OVER = Pattern.compile("(?m)^(import|export)\\b");

    @Inject
    ResourceManager resources;

    /** The name the app resource is registered under (resources/list shows it). */
    static final String CHAIN_RESOURCE = "chain-view";

    /** Built at the first read (inlining the console's modules is about 1.5% of start-up CPU); same text each time. */
    private volatile String chainPage;

    /** Registered with the tools (McpFeatures, APPLICATION + 700), before any client can list them. */
    void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 690) StartupEvent ev) {
        Map<String, Object> ui = chainUi();
        resources.newResource(CHAIN_RESOURCE)
                .setUri(ToolCatalog.CHAIN_APP_URI)
                .setTitle("Causal chain view")
                .setDescription("MCP App: the causal chain of a get_causal_chain result as a vertical timeline")
                .setMimeType(MIME_TYPE)
                .setMetadata(Map.of(MetaKey.of("ui"), ui))
                .setHandler(args -> new ResourceResponse(List.of(new TextResourceContents(ToolCatalog.CHAIN_APP_URI,
                        chainPage(), MIME_TYPE, Map.of(MetaKey.of("ui"), ui)))))
                .register();
    }

    /** The app's HTML document (the same text on both protocol eras). */
    String chainPage() {
        String page = chainPage;
        if (page == null) {
            page = page("mcp-app/chain.html", CONSOLE + "style.css", CHAIN_MODULES);
            chainPage = page;
        }
        return page;
    }

    /** The {@code ui} entry of the app resource's {@code _meta}: how a host should frame it. */
    static Map<String, Object> chainUi() {
        Map<String, Object> ui = new LinkedHashMap<>();
        ui.put("prefersBorder", true);
        return ui;
    }

    /** The {@code _meta} of a tool whose results the given app renders. */
    static Map<MetaKey, Object> toolMeta(String appUri) {
        return Map.of(MetaKey.of("ui"), Map.of("resourceUri", appUri));
    }

    static String page(String shell, String style, List<String> modules) {
        String css = hostTheme(read(style), style);
        String script = inline(modules);
        if (css.toLowerCase(Locale.ROOT).contains("</style")) {
            throw new IllegalStateException(style + " contains </style and cannot be inlined");
        }
        if (script.toLowerCase(Locale.ROOT).contains("</script")) {
            throw new IllegalStateException("the chain view's modules contain </script and cannot be inlined");
        }
        String html = read(shell);
        if (!html.contains("/*STYLE*/") || !html.contains("/*SCRIPT*/")) {
            throw new IllegalStateException(shell + " lacks its /*STYLE*/ or /*SCRIPT*/ placeholder");
        }
        return html.replace("/*STYLE*/", css).replace("/*SCRIPT*/", script);
    }

    /**
     * The console follows the browser's {@code prefers-color-scheme}; inside a host the view follows the host's
     * theme ({@code hostContext.theme}, set by chain-app.js as {@code data-theme} on the root element): the dark
     * variables also apply under {@code data-theme="dark"}, and the media query no longer applies under
     * {@code data-theme="light"}.
     */
    static String hostTheme(String css, String style) {
        Matcher dark = DARK.matcher(css);
        if (!dark.find()) {
            throw new IllegalStateException(style + ": the MCP App expects one '@media (prefers-color-scheme: dark) "
                    + "{ :root { ... } }' block of variables");
        }
        String variables = dark.group(1);
        return css.substring(0, dark.start()) + "@media (prefers-color-scheme: dark) {\n  :root:not([data-theme=\"light\"]) {"
                + variables + "}\n}\n:root[data-theme=\"dark\"] {" + variables + "}\n"
                + ":root[data-theme=\"dark\"] { color-scheme: dark; }\n:root[data-theme=\"light\"] { color-scheme: light; }\n"
                + css.substring(dark.end());
    }

    /**
     * The modules as one script: {@code const m = {}; m['dom.js'] = (() => { ...; return { h, clear }; })(); ...}.
     * Imports name modules by file name; a module must come after every module it imports.
     */
    static String inline(List<String> modules) {
        StringBuilder out = new StringBuilder("const modules = {};\n");
        List<String> defined = new ArrayList<>();
        for (String path : modules) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            String text = read(path);
            List<String> exported = new ArrayList<>();
            Matcher e = EXPORT.matcher(text);
            while (e.find()) {
                exported.add(e.group(1));
            }
            text = replace(EXPORT, text, m -> m.group().replaceFirst("^export\\s+", ""));
            text = replace(IMPORT_NAMED, text, m -> "const { " + m.group(1).trim().replaceAll("\\s+as\\s+", ": ")
                    + " } = " + module(path, m.group(2), defined) + ";");
            text = replace(IMPORT_ALL, text, m -> "const " + m.group(1) + " = " + module(path, m.group(2), defined) + ";");
            Matcher left = LEFT_OVER.matcher(text);
            if (left.find()) {
                int end = text.indexOf('\n', left.start());
                throw new IllegalStateException(path + ": an import or export form the MCP App inliner does not know: "
                        + text.substring(left.start(), end < 0 ? text.length() : end));
            }
            out.append("modules['").append(name).append("'] = (() => {\n").append(text)
                    .append("\nreturn { ").append(String.join(", ", exported)).append(" };\n})();\n");
            defined.add(name);
        }
        return out.toString();
    }

    private static String module(String importer, String specifier, List<String> defined) {
        String name = specifier.substring(specifier.lastIndexOf('/') + 1);
        if (!defined.contains(name)) {
            throw new IllegalStateException(importer + " imports " + specifier + ", which is not inlined before it");
        }
        return "modules['" + name + "']";
    }

    private static String replace(Pattern p, String text, Function<MatchResult, String> with) {
        return p.matcher(text).replaceAll(m -> Matcher.quoteReplacement(with.apply(m)));
    }

    private static String read(String path) {
        try (InputStream in = McpApps.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
