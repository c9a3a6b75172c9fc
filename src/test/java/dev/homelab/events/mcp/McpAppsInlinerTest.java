package dev.homelab.events.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The MCP App's module inliner (McpApps.inline): the import and export forms the console's modules use become one
 * script; any other form, or a module imported before it is inlined, fails at start instead of in a chat.
 */
class McpAppsInlinerTest {

    static final String DIR = "mcp-app-inliner/";

    @Test
    void namedAndNamespaceImportsBecomeLookupsOfEarlierModules() {
        String script = McpApps.inline(List.of(DIR + "base.js", DIR + "user.js"));
        assertTrue(script.contains("modules['base.js'] = (() => {"), script);
        assertTrue(script.contains("return { h, VERSION };"), "only exported names are returned: " + script);
        assertTrue(script.contains("const { h: make, VERSION } = modules['base.js'];"), script);
        assertTrue(script.contains("const base = modules['base.js'];"), script);
        assertTrue(script.contains("async function run() {"), script);
        assertTrue(script.contains("return { run };"), script);
        assertFalse(script.matches("(?s).*(^|\\n)(import|export)\\b.*"), "no import or export left: " + script);
    }

    @Test
    void refusesAFormItDoesNotKnow() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> McpApps.inline(List.of(DIR + "default.js")));
        assertEquals(
                DIR + "default.js: an import or export form the MCP App inliner does not know: export default function () {}",
                e.getMessage());
    }

    @Test
    void refusesAModuleImportedBeforeItIsInlined() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> McpApps.inline(List.of(DIR + "early.js", DIR + "base.js")));
        assertTrue(e.getMessage().contains("imports ./later.js, which is not inlined before it"), e.getMessage());
    }

    @Test
    void theShippedChainViewInlinesAndFollowsTheHostTheme() {
        String page = McpApps.page("mcp-app/chain.html", "META-INF/resources/console/style.css",
                List.of("META-INF/resources/console/dom.js", "META-INF/resources/console/format.js",
                        "META-INF/resources/console/chain-view.js", "mcp-app/chain-app.js"));
        assertTrue(page.contains(":root:not([data-theme=\"light\"]) {"), "the browser's dark scheme, unless the host is light");
        assertTrue(page.contains(":root[data-theme=\"dark\"] {"), "the host's dark theme");
        assertFalse(page.contains("/*STYLE*/") || page.contains("/*SCRIPT*/"), "both placeholders filled");
    }
}
