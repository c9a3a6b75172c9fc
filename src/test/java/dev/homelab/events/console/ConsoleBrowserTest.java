package dev.homelab.events.console;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.ask.ScriptedModel;
import dev.homelab.events.ask.ScriptedModelResource;

/**
 * The operator's console in a real headless Chromium, over the application's own temporary store, seeded through
 * the REST API (and once through the bash library). The server has a token, and a scripted model behind /api/ask.
 */
@QuarkusTest
@TestProfile(ConsoleProfile.class)
class ConsoleBrowserTest {

    static final Seed SEED = new Seed(ConsoleProfile.TOKEN);
    private static Browser browser;

    @TestHTTPResource("/")
    URL base;

    @ScriptedModelResource.Inject
    ScriptedModel model;

    @BeforeEach
    void openBrowser() {
        if (browser == null) {
            browser = Browser.open(base.toString());
        }
        browser.desktopWidth();
        browser.colorScheme("light");
    }

    @AfterEach
    void forgetToken() {
        // the next test starts read-only: the token lives in this tab's session storage
        if (browser != null && browser.driver.getCurrentUrl().startsWith(base.toString().replaceAll("/$", ""))) {
            browser.clearSession();
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    static String ago(int minutes) {
        return Instant.now().minus(minutes, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MICROS).toString();
    }

    /** A failed deployment with an open remediation step: an open incident. */
    static String seedIncident(String service) {
        String cid = Seed.unique("deploy");
        SEED.event(cid, "deployment_started", "info", "deploy.sh", service, "pi4", ago(30), Map.of("version", "2.0.18"));
        SEED.event(cid, "deployment_failed", "error", "deploy.sh", service, "pi4", ago(28),
                Map.of("stage", "verify", "error", "port 1883 not bound"));
        SEED.event(cid, "remediation_started", "warning", "agent-7", service, "pi4", ago(25),
                Map.of("action", "restart_service", "step", "restart", "actor", "agent-7"));
        return cid;
    }

    private void unlock(String token, String name) {
        browser.find("#token-button").click();
        browser.find("#token-input").sendKeys(token);
        WebElement operator = browser.find("#operator-input");
        operator.clear();
        operator.sendKeys(name);
        browser.find("#token-form button[type=submit]").click();
    }

    @Test
    void landingListsOpenIncidentsAndTheKeyboardFollowsOneToItsChain() {
        String service = Seed.unique("mosquitto");
        String cid = seedIncident(service);
        browser.go("/");
        browser.waitForText(cid);
        WebElement card = browser.find("a[href='/chains/" + cid + "']").findElement(By.xpath("ancestor::article"));
        browser.waitFor(() -> card.getText().contains("restart_service by agent-7"), "the card's details");
        String text = card.getText();
        assertTrue(text.contains(service), text);
        assertTrue(text.contains("pi4"), "the node: " + text);
        assertTrue(text.contains("deployment_failed at stage verify: port 1883 not bound"), "how it failed: " + text);
        assertTrue(text.contains("restart_service by agent-7"), "the open remediation: " + text);
        assertTrue(text.matches("(?s).*open for 2\\d min.*"), "how long it has been open: " + text);
        assertEquals("remediating", card.findElement(By.cssSelector(".badge")).getText());

        // keyboard only: Tab to the incident's link (the focus ring is visible), Enter follows it
        WebElement body = browser.find("body");
        body.click();
        String href = "/chains/" + cid;
        for (int i = 0; i < 60 && !href.equals(browser.js("return document.activeElement.getAttribute('href');")); i++) {
            browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        }
        assertEquals(href, browser.js("return document.activeElement.getAttribute('href');"), "Tab reaches the incident");
        assertNotEquals("none", browser.js("return getComputedStyle(document.activeElement).outlineStyle;"),
                "the focused link shows a focus ring");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.waitFor(() -> browser.path().equals(href), "the chain address");
        browser.waitUntilRendered();
        assertEquals("Chain " + cid, browser.find("h1").getText());
        assertEquals("view-title", browser.js("return document.activeElement.id;"), "focus moves to the new view");
        WebElement failure = browser.find("ol.chain > li.failure");
        assertTrue(failure.getText().contains("deployment_failed") && failure.getText().contains("Failure"), failure.getText());
        assertTrue(browser.mainText().contains("2 min after the previous event"), browser.mainText());
    }

    @Test
    void chainPageShowsStepsNodesFilesAndPayloadsOfACrossNodeChain() {
        String service = Seed.unique("ollama");
        String cid = Seed.unique("oom");
        String first = SEED.event(cid, "service_unhealthy", "error", "monitor.py", service, "gpu-1", ago(20),
                Map.of("error", "OOM", "rss_mb", 31000));
        SEED.event(cid, "remediation_started", "warning", "agent-7", service, "gpu-1", ago(19),
                Map.of("action", "move_service", "step", "move", "actor", "agent-7"));
        SEED.event(cid, "remediation_completed", "info", "agent-7", service, "gpu-2", ago(15),
                Map.of("action", "move_service", "step", "move", "result", "succeeded"));
        SEED.event(cid, "service_recovered", "info", "monitor.py", service, "gpu-2", ago(14), Map.of());
        String root = SEED.root();
        String path = given().get("/api/chains/" + cid + "/files").then().statusCode(200).extract()
                .path("files.find { it.id == '" + first + "' }.path");

        browser.go("/chains/" + cid); // a pasted link
        browser.waitForText("Events, oldest first");
        String main = browser.mainText();
        assertTrue(main.contains("resolved"), main);
        assertTrue(main.contains("Nodes (crosses nodes)"), main);
        assertTrue(main.contains("moved to gpu-2"), "the step where the chain changes node: " + main);
        WebElement steps = browser.find("table");
        assertTrue(steps.getText().contains("move_service") && steps.getText().contains("completed")
                && steps.getText().contains("succeeded"), steps.getText());
        WebElement firstItem = browser.find("#event-" + first);
        assertTrue(firstItem.getText().contains("File: " + root.replaceAll("/$", "") + "/" + path), firstItem.getText());
        WebElement summary = firstItem.findElement(By.cssSelector("details summary"));
        summary.sendKeys(Keys.ENTER); // payloads expand from the keyboard
        browser.waitFor(() -> firstItem.findElement(By.cssSelector("details")).getDomProperty("open").equals("true"),
                "the payload to open");
        assertTrue(firstItem.findElement(By.cssSelector("pre")).getText().contains("\"rss_mb\": 31000"));
        browser.assertAccessible("the chain view");
    }

    @Test
    void timelineFiltersPagesByCursorAndKeepsTheFiltersInItsAddress() {
        String service = Seed.unique("frigate");
        for (int i = 0; i < 55; i++) {
            SEED.event(null, i % 5 == 0 ? "healthcheck_failed" : "deployment_completed", i % 5 == 0 ? "error" : "info",
                    service, Map.of("i", i, "camera", i == 7 ? "garage-door" : "porch"));
        }
        browser.go("/timeline?service=" + service);
        browser.waitForText("Showing 50 of 55 events.");
        assertEquals(50, browser.all("tbody tr").size());
        browser.find("button.more").click();
        browser.waitForText("Showing 55 of 55 events.");
        assertEquals(55, browser.all("tbody tr").size());

        new Select(browser.find("#f-severity")).selectByValue("error");
        browser.find("form.filters button[type=submit]").click();
        browser.waitForText("Showing 11 of 11 events.");
        assertTrue(browser.path().contains("min_severity=error") && browser.path().contains("service=" + service),
                "the filters are in the address, so the view can be pasted: " + browser.path());
        for (WebElement row : browser.all("tbody tr")) {
            assertTrue(row.getText().contains("error") && row.getText().contains("healthcheck_failed"), row.getText());
        }

        new Select(browser.find("#f-severity")).selectByValue("");
        browser.find("#f-text").sendKeys("garage-door", Keys.ENTER);
        browser.waitFor(() -> browser.all("tbody tr").size() == 1, "the one event with the text in its payload");
        assertTrue(browser.mainText().contains("1 event with \"garage-door\" in the payload, among the 55 most recent"),
                browser.mainText());

        new Select(browser.find("#f-range")).selectByValue("15m");
        browser.find("form.filters button[type=submit]").click();
        browser.waitUntilRendered();
        assertTrue(browser.path().contains("since=15m"), browser.path());
        browser.assertAccessible("the timeline");
    }

    @Test
    void anEventWrittenByTheBashLibraryAppearsLive() throws Exception {
        String service = Seed.unique("zigbee");
        String cid = Seed.unique("bash");
        browser.go("/timeline?service=" + service);
        browser.waitForText("No events match these filters.");
        browser.waitFor(() -> browser.find("#live").getText().equals("Live"), "the live stream to connect");

        Path lib = Path.of("tools/scripts/lib/events.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "source \"$1\" && emit_event \"$2\" \"$3\" \"$4\" \"$5\" \"$6\" \"$7\"",
                "emit", lib.toString(), "service_unhealthy", "error", "probe.sh", service, cid,
                "{\"error\":\"coordinator lost\"}");
        pb.environment().keySet().removeIf(k -> k.startsWith("HOMELAB_"));
        pb.environment().put("HOMELAB_EVENTS_DIR", SEED.root());
        pb.environment().put("HOMELAB_NODE", "bash-node");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "emit_event finished");
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), output);

        browser.waitFor(() -> browser.all("tbody tr.new").size() == 1, "the bash event to appear without a reload");
        String row = browser.find("tbody tr.new").getText();
        assertTrue(row.contains("bash-node") && row.contains("probe.sh") && row.contains(cid), row);
        assertTrue(browser.mainText().contains("Showing 1 of 1 event."), browser.mainText());
    }

    @Test
    void writesNeedTheTokenAndAreOrdinaryEvents() {
        String service = Seed.unique("nginx");
        String cid = seedIncident(service);
        browser.go("/chains/" + cid);
        browser.waitForText("Read-only: recording a remediation step");
        assertTrue(browser.all("textarea").isEmpty(), "no write form without a token");

        unlock("not-the-token", "mallory");
        browser.waitFor(() -> browser.find("#token-error").getText().equals("The server refused this token."),
                "the wrong token to be refused");
        browser.find("#token-cancel").click();
        assertEquals("", browser.js("return sessionStorage.getItem('homelab.console.token') || '';"));

        unlock(ConsoleProfile.TOKEN, "alice");
        browser.waitFor(() -> !browser.all("textarea").isEmpty(), "the write forms");
        assertEquals(ConsoleProfile.TOKEN, browser.js("return sessionStorage.getItem('homelab.console.token');"));
        assertEquals("", browser.js("return document.cookie;"), "never a cookie");
        assertFalse(browser.path().contains(ConsoleProfile.TOKEN), "never in the address");
        browser.assertAccessible("the chain view with its write forms");

        WebElement note = browser.find("textarea");
        note.sendKeys("Port clash with the new zigbee bridge; rolling back.");
        note.findElement(By.xpath("ancestor::form")).findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitForText("Note recorded.");
        List<Map<String, Object>> notes = given().queryParam("correlation_id", cid).queryParam("type", "operator_note")
                .get("/api/events").then().statusCode(200).extract().path("events");
        assertEquals(1, notes.size(), "the note is an ordinary event of the chain");
        assertEquals("alice", notes.get(0).get("source"));
        assertEquals("Port clash with the new zigbee bridge; rolling back.",
                ((Map<?, ?>) notes.get(0).get("payload")).get("note"));
        browser.waitFor(() -> browser.mainText().contains("operator_note"), "the note to show in the chain, live");

        // a remediation step, through the same tool agents use
        WebElement action = browser.find("input[placeholder='restart_service']");
        action.sendKeys("rollback");
        action.findElement(By.xpath("ancestor::form")).findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitForText("Step started.");
        given().queryParam("correlation_id", cid).queryParam("type", "remediation_started").get("/api/events").then()
                .statusCode(200)
                .body("events.find { it.source == 'alice' }.payload.action", org.hamcrest.Matchers.is("rollback"));

        // without a valid token the same write fails, and says why
        browser.js("sessionStorage.setItem('homelab.console.token', 'revoked-token');");
        WebElement again = browser.find("textarea");
        again.sendKeys("this one must not be stored");
        again.findElement(By.xpath("ancestor::form")).findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitForText("Unauthorized (401)");
        given().queryParam("correlation_id", cid).queryParam("type", "operator_note").get("/api/events").then()
                .statusCode(200).body("events.size()", org.hamcrest.Matchers.is(1));
        browser.clearSession();
    }

    @Test
    void hostileEventTextIsShownAsText() {
        String service = "<img src=x onerror=window.__pwned=1>";
        String source = "<svg onload=window.__pwned=2>";
        String cid = "<b>" + Seed.unique("hostile");
        String scriptClose = "</script><script>window.__pwned=3</script>";
        String img = "<img src=x onerror=window.__pwned=4>";
        SEED.event(cid, "deployment_failed", "critical", source, service, null, null,
                Map.of("error", scriptClose, "detail", img));

        browser.go("/timeline?service=" + java.net.URLEncoder.encode(service, java.nio.charset.StandardCharsets.UTF_8));
        browser.waitFor(() -> browser.all("tbody tr").size() == 1, "the hostile event's row");
        String row = browser.find("tbody tr").getText();
        assertTrue(row.contains(service) && row.contains(source) && row.contains(cid), row);
        assertNoInjection("the timeline");

        browser.find("tbody tr a").click(); // its chain, by its hostile correlation id
        browser.waitForText("Events, oldest first");
        assertEquals("Chain " + cid, browser.find("h1").getText());
        browser.find("details summary").click();
        String payload = browser.find("pre").getText();
        assertTrue(payload.contains(scriptClose) && payload.contains(img), payload);
        assertNoInjection("the chain view");

        browser.go("/");
        browser.waitForText(cid);
        assertTrue(browser.mainText().contains("deployment_failed: " + scriptClose), browser.mainText());
        assertNoInjection("the incidents");
    }

    private void assertNoInjection(String where) {
        assertEquals(0L, browser.js("return document.querySelectorAll('main img, main svg, main script, main b').length;"),
                "no element was made from event text on " + where);
        assertEquals(null, browser.js("return window.__pwned === undefined ? null : window.__pwned;"),
                "no event text ran as script on " + where);
        // and a slip would fail loudly: the page's policy makes HTML-parsing sinks throw (Trusted Types)
        assertEquals("TypeError", browser.js("try { document.createElement('div').innerHTML = '<b>x</b>'; return 'assigned'; }"
                + " catch (e) { return e.name; }"));
    }

    @Test
    void statusAndStoreProblemsViews() throws IOException {
        String service = Seed.unique("homeassistant");
        String node = Seed.unique("nas");
        SEED.event(Seed.unique("hc"), "service_unhealthy", "error", "monitor.py", service, node, ago(3), Map.of());
        SEED.event(Seed.unique("node"), "node_offline", "warning", "watchdog", "all", node, ago(2), Map.of());
        Path day = Path.of(SEED.root()).resolve("2026-01-02").resolve("broken-node");
        Files.createDirectories(day);
        Path garbage = day.resolve("20260102T000000.000000Z_deployment_started_" + java.util.UUID.randomUUID() + ".json");
        Files.writeString(garbage, "{\"truncated\": ");

        browser.go("/status");
        browser.waitForText(service);
        WebElement serviceRow = browser.find("th[scope=row]").findElement(By.xpath("//th[text()='" + service + "']/.."));
        assertTrue(serviceRow.getText().contains("failing"), serviceRow.getText());
        WebElement nodeRow = browser.find("main").findElement(By.xpath("//th[text()='" + node + "']/.."));
        assertTrue(nodeRow.getText().contains("offline") && nodeRow.getText().contains("node_offline"), nodeRow.getText());
        browser.assertAccessible("the status view");

        browser.go("/problems");
        browser.waitFor(() -> {
            if (browser.mainText().contains(garbage.getFileName().toString())) {
                return true;
            }
            browser.go("/problems"); // the reconciler finds the file within its rescan interval
            return false;
        }, "the corrupt file to be listed");
        assertTrue(browser.mainText().contains("CORRUPT_JSON"), browser.mainText());
        browser.assertAccessible("the store problems view");
    }

    @Test
    void askShowsTheAnswerWithCitationsThatLeadToTheEvents() {
        String service = Seed.unique("mosquitto");
        String cid = seedIncident(service);
        String failed = given().queryParam("correlation_id", cid).queryParam("type", "deployment_failed").get("/api/events")
                .then().extract().path("events[0].id");
        model.play(model.toolCall("get_causal_chain", "{\"correlation_id\":\"" + cid + "\"}"),
                ScriptedModel.answerFrom(request -> "The deployment failed at verify [" + failed
                        + "]; a restart was started and is still open."));

        browser.go("/ask");
        unlock(ConsoleProfile.TOKEN, "bob"); // asking is recorded as an event, so it is a write
        browser.waitUntilRendered();
        browser.find("#ask-question").sendKeys("What happened to " + cid + "?");
        browser.find("main form button[type=submit]").click();
        browser.waitForText("The deployment failed at verify");
        WebElement citation = browser.find("ul.citations a");
        assertEquals("/chains/" + cid + "#event-" + failed, citation.getDomAttribute("href"));
        assertTrue(citation.getText().contains("deployment_failed"), citation.getText());
        browser.assertAccessible("the ask view with an answer");
        browser.screenshot("ask");
        citation.click();
        browser.waitFor(() -> browser.path().equals("/chains/" + cid + "#event-" + failed), "the cited event's chain");
        browser.waitUntilRendered();
        assertEquals("event-" + failed, browser.js("return document.activeElement.id;"), "the cited event has the focus");
        browser.clearSession();
    }

    @Test
    void everyViewIsAccessibleInLightAndDarkAndFitsAPhone() {
        String service = Seed.unique("mosquitto");
        String cid = seedIncident(service);
        SEED.event(cid, "remediation_completed", "info", "agent-7", service, "pi5", ago(20),
                Map.of("action", "restart_service", "step", "restart", "result", "failed"));
        List<String> views = List.of("/", "/timeline", "/chains/" + cid, "/status", "/ask", "/problems");
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            for (String view : views) {
                browser.go(view);
                browser.assertAccessible(view + " (" + scheme + ")");
            }
        }
        browser.colorScheme("light");
        browser.phoneWidth();
        for (String view : views) {
            browser.go(view);
            browser.assertNoHorizontalScroll(view);
        }
        browser.go("/chains/" + cid);
        browser.screenshot("chain-phone");
        browser.desktopWidth();
        for (String[] shot : new String[][]{ { "/", "incidents" }, { "/timeline", "timeline" }, { "/chains/" + cid, "chain" },
                { "/status", "status" }, { "/problems", "problems" } }) {
            browser.go(shot[0]);
            browser.screenshot(shot[1]);
        }
        browser.colorScheme("dark");
        browser.go("/chains/" + cid);
        browser.screenshot("chain-dark");
        browser.colorScheme("light");
    }
}
