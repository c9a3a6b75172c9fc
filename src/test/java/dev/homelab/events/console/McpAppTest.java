package dev.homelab.events.console;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.homelab.events.agent.ToolCatalog;
import dev.homelab.events.mcp.McpApps;

/**
 * The causal-chain view as an MCP App: get_causal_chain points at a {@code ui://} resource of type
 * {@code text/html;profile=mcp-app}, and a host built from the extension's own AppBridge and the MCP SDK's client
 * ({@link McpAppTestHost}) renders a chain of this server in a sandboxed frame, in a real headless Chromium.
 */
@QuarkusTest
@TestProfile(McpAppTest.OwnStore.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class McpAppTest {

    /** A store no other test class reads: the chains seeded here would change their counts. */
    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("homelab.events.dir", Files.createTempDirectory("mcp-app").resolve("events").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final Seed SEED = new Seed(null);
    private static Browser browser;

    @TestHTTPResource("/")
    URL base;

    McpStreamableTestClient client;

    @BeforeEach
    void connect() {
        client = McpAssured.newConnectedStreamableClient();
    }

    @AfterEach
    void disconnect() {
        client.disconnect();
        if (browser != null) {
            browser.driver.switchTo().defaultContent();
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void onlyGetCausalChainPointsAtTheChainView() {
        client.when().toolsList(page -> {
            for (McpAssured.ToolInfo t : page.tools()) {
                String uri = t.meta() == null || t.meta().getJsonObject("ui") == null
                        ? null
                        : t.meta().getJsonObject("ui").getString("resourceUri");
                if (t.name().equals("get_causal_chain")) {
                    assertEquals(ToolCatalog.CHAIN_APP_URI, uri, "get_causal_chain's _meta.ui.resourceUri");
                } else {
                    assertNull(uri, t.name() + " has no view");
                }
            }
        }).thenAssertResults();
    }

    @Test
    void theChainViewIsASelfContainedMcpAppResource() {
        client.when().resourcesList(page -> {
            var view = page.resources().stream().filter(r -> r.uri().equals(ToolCatalog.CHAIN_APP_URI)).findFirst()
                    .orElseThrow(() -> new AssertionError("resources/list lacks " + ToolCatalog.CHAIN_APP_URI));
            assertEquals(McpApps.MIME_TYPE, view.mimeType());
            assertEquals(Boolean.TRUE, view.meta().getJsonObject("ui").getBoolean("prefersBorder"));
        }).resourcesRead(ToolCatalog.CHAIN_APP_URI, response -> {
            TextResourceContents html = response.contents().get(0).asText();
            assertEquals(McpApps.MIME_TYPE, html.mimeType());
            String text = html.text();
            assertTrue(text.startsWith("<!doctype html>"), text.substring(0, 40));
            // the console's component itself, inlined: the same renderChain as /chains/{id}
            assertTrue(text.contains("function renderChain(events, summary, files)"), "the console's chain component");
            assertTrue(text.contains("'ui/initialize'"), "the bridge");
            // nothing to fetch: no script or style sheet by address, no module import left
            assertFalse(text.contains("src=\""), "no script by address");
            assertFalse(text.contains("<link"), "no style sheet by address");
            assertFalse(text.matches("(?s).*\\n\\s*(import|export)\\s.*"), "every import and export was inlined");
        }).thenAssertResults();
    }

    @Test
    void aHostRendersARealChainInTheSandboxedView() {
        String cid = Seed.unique("app-deploy");
        SEED.event(cid, "deployment_started", "info", "deploy.sh", "grafana", "node-a", null, Map.of("version", "10.4.1"));
        String failed = SEED.event(cid, "deployment_failed", "error", "deploy.sh", "grafana", "node-a", null,
                Map.of("stage", "verify", "error", "healthcheck timed out",
                        "note", "<img src=x onerror=alert(1)><script>alert(2)</script>"));
        tool("record_remediation", Map.of("phase", "start", "correlation_id", cid, "service", "grafana",
                "action", "rollback", "actor", "agent-7"));
        SEED.event(cid, "service_recovered", "info", "probe.sh", "grafana", "node-b", null, Map.of());

        WebElement frame = openHost("?correlation_id=" + cid);
        browser.driver.switchTo().frame(frame);
        browser.waitFor(() -> "false".equals(browser.find("main").getDomAttribute("aria-busy")), "the view to render");
        String text = browser.find("main").getText();
        assertTrue(text.contains("Chain " + cid), text);
        assertTrue(text.contains("4 of 4 events shown"), text);
        assertTrue(text.contains("deployment_failed at stage verify: healthcheck timed out"), text);
        assertTrue(text.contains("rollback") && text.contains("agent-7"), "the remediation step: " + text);
        assertTrue(text.contains("Nodes (crosses nodes)") && text.contains("moved to node-b"), text);
        assertEquals(1, browser.all("li.failure#event-" + failed).size(), "the failure is highlighted");
        // hostile event text is text: no element was made from it, and no script ran
        browser.all("details").forEach(d -> d.findElement(By.tagName("summary")).click());
        assertTrue(browser.find("main").getText().contains("<img src=x onerror=alert(1)>"), "shown as text");
        assertTrue(browser.all("main img, main script").isEmpty(), "no element from event text");
        browser.assertAccessible("the chain view in its MCP App frame");
        // the view fetched nothing: everything came through the host
        assertEquals(0L, ((Number) browser.js("return performance.getEntriesByType('resource').length;")).longValue());
        browser.driver.switchTo().defaultContent();
        assertNull(browser.js("return window.host.error;"));
        assertTrue(((Number) browser.js("return parseInt(document.querySelector('iframe').style.height) || 0;"))
                .longValue() > 200, "the host sized the frame from the view's size-changed notifications");
        browser.screenshot("mcp-app");
    }

    @Test
    void showEveryEventAsksTheHostToCallTheToolAgain() {
        String cid = Seed.unique("app-long");
        for (int i = 0; i < 11; i++) {
            SEED.event(cid, "healthcheck_failed", "warning", "probe.sh", "nas-backup", null, null, Map.of("attempt", i));
        }
        SEED.event(cid, "service_recovered", "info", "probe.sh", "nas-backup", null, null, Map.of());

        browser().driver.switchTo().defaultContent();
        WebElement frame = openHost("?correlation_id=" + cid);
        browser.driver.switchTo().frame(frame);
        browser.waitFor(() -> browser.find("main").getText().contains("8 of 12 events shown (the most recent)"),
                "the tool's default page of 8 events");
        assertEquals(8, browser.all("ol.chain > li").size());
        browser.find("main button").click();
        browser.waitFor(() -> browser.find("main").getText().contains("12 of 12 events shown."),
                "every event, through tools/call via the host");
        assertEquals(12, browser.all("ol.chain > li").size());
    }

    @Test
    void theViewTakesTheHostsThemeOverTheBrowsers() {
        String cid = Seed.unique("app-theme");
        SEED.event(cid, "service_unhealthy", "error", "probe.sh", "mosquitto", null, null, Map.of("check", "tcp"));
        browser().colorScheme("light");
        for (String[] theme : new String[][]{ { "dark", "rgb(18, 19, 22)" }, { "light", "rgb(247, 247, 245)" } }) {
            browser.driver.switchTo().defaultContent();
            WebElement frame = openHost("?theme=" + theme[0] + "&correlation_id=" + cid);
            browser.driver.switchTo().frame(frame);
            browser.waitFor(() -> "false".equals(browser.find("main").getDomAttribute("aria-busy")), "the view to render");
            assertEquals(theme[1], browser.js("return getComputedStyle(document.body).backgroundColor;"),
                    "the body's background under the host's " + theme[0] + " theme (the console's --bg)");
            if (theme[0].equals("dark")) {
                browser.driver.switchTo().defaultContent();
                browser.screenshot("mcp-app-dark");
            }
        }
        browser.colorScheme("dark");
        browser.driver.switchTo().defaultContent();
        browser.driver.switchTo().frame(openHost("?theme=light&correlation_id=" + cid));
        browser.waitFor(() -> "false".equals(browser.find("main").getDomAttribute("aria-busy")), "the view to render");
        assertEquals("rgb(247, 247, 245)", browser.js("return getComputedStyle(document.body).backgroundColor;"),
                "a light host in a dark browser: light");
        browser.colorScheme("light");
    }

    private Browser browser() {
        if (browser == null) {
            browser = Browser.open(base.toString());
        }
        return browser;
    }

    /** Opens the test host on a chain; returns the view's frame once the host has handed it the tool result. */
    private WebElement openHost(String query) {
        browser().driver.get(base.toString().replaceAll("/$", "") + McpAppTestHost.PATH + "host.html" + query);
        browser.waitFor(() -> {
            Object step = browser.js("return window.host && (window.host.step + ' ' + (window.host.error || ''));");
            if (step != null && step.toString().startsWith("failed")) {
                throw new AssertionError("the host failed: " + step);
            }
            return step != null && step.toString().startsWith("result sent");
        }, "the host to connect, read the view, call get_causal_chain and send the result");
        assertEquals(McpApps.MIME_TYPE, browser.js("return window.host.mimeType;"));
        assertEquals(ToolCatalog.CHAIN_APP_URI, browser.js("return window.host.resourceUri;"));
        WebElement frame = browser.find("#apps iframe");
        assertNotNull(frame);
        assertEquals("allow-scripts", frame.getDomAttribute("sandbox"));
        return frame;
    }

    private static void tool(String name, Map<String, Object> args) {
        given().contentType(ContentType.JSON).body(args).post("/api/tools/" + name).then().statusCode(200);
    }
}
