package dev.homelab.events.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

import dev.homelab.events.console.Browser;

/**
 * The console's pages in a real headless Chromium (Debian's chromium and chromium-driver, as the browser tests use)
 * against a running server: how long after the navigation starts the browser first paints, shows the page's list,
 * and has finished rendering it (the console clears {@code aria-busy} on {@code main} when a view is done). A script
 * the browser runs before the page's own (DevTools {@code Page.addScriptToEvaluateOnNewDocument}, so the page's
 * Content-Security-Policy is untouched) records those instants with {@code performance.now()}, whose origin is the
 * start of the navigation, once a frame holding the change has been painted. First paint is the browser's own
 * {@code first-contentful-paint} (the page's header, before any data).
 *
 * <p>
 * Pages: the landing page (open incidents with each card's nodes and open steps, one GET /api/incidents; a
 * server built before that route made the page call get_causal_chain once per card), the timeline's first page (all events, and one filtered by node,
 * severity and the last 7 days), and chain pages of chains picked at random from the generated store. Each page is
 * loaded {@code warmUp} times unmeasured, then {@code runs} times; the first load after the server started is
 * reported on its own.
 */
final class ConsoleRenderBenchmark {

    /**
     * Marks: listed = the page's list is in the DOM; rendered = main is no longer busy. Each is taken at the second
     * animation frame after the change, that is once a frame holding it has been painted.
     */
    static final String MARKS = String.join("\n",
            "(() => {",
            "  const marks = window.__bench = {};",
            "  const painted = (name) => { marks[name] = -1;",
            "    requestAnimationFrame(() => requestAnimationFrame(() => { marks[name] = performance.now(); })); };",
            "  const look = () => {",
            "    const main = document.getElementById('main');",
            "    if (!main) return;",
            "    if (!marks.listed && document.querySelector('#incidents .status-line, #incidents .empty, "
                    + "#timeline-status:not(:empty), .chain-view, main .notice')) painted('listed');",
            "    const busy = main.getAttribute('aria-busy');",
            "    if (busy === 'true') marks.busy = true;",
            "    if (busy === 'false' && marks.busy && !marks.rendered) painted('rendered');",
            "  };",
            "  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true,",
            "    attributes: true, attributeFilter: ['aria-busy']});",
            "})();");

    private static final Duration PAGE_DEADLINE = Duration.ofMinutes(2);

    private final String base;
    private final int runs;
    private final int warmUp;
    private final BiConsumer<String, String> put;

    ConsoleRenderBenchmark(String base, int runs, int warmUp, BiConsumer<String, String> put) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.runs = runs;
        this.warmUp = warmUp;
        this.put = put;
    }

    /** One load: the three instants in ms after the navigation started, and what the page said. */
    record Load(double paint, double listed, double rendered, String said) {
    }

    void run(StoreGenerator.Sample sample, long seed) throws Exception {
        if (!Files.isExecutable(Browser.CHROMIUM) || !Files.isExecutable(Browser.CHROMEDRIVER)) {
            put.accept("Console pages in headless Chromium", "not measured: " + Browser.CHROMIUM + " or "
                    + Browser.CHROMEDRIVER + " is missing (apt-get install -y chromium chromium-driver)");
            return;
        }
        Random rnd = new Random(seed + 4);
        try (Browser browser = Browser.open(base)) {
            browser.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", MARKS));
            Load first = load(browser, "/");
            put.accept("Console, first load after the server started: landing page (paint / incidents listed / rendered)",
                    String.format("%.0f ms / %.0f ms / %.0f ms", first.paint(), first.listed(), first.rendered()));
            measure(browser, "landing page `/`, open incidents", () -> "/", true);
            measure(browser, "timeline `/timeline`, first page of all events", () -> "/timeline", false);
            String node = StoreGenerator.NODES[rnd.nextInt(StoreGenerator.NODES.length)];
            measure(browser, "timeline filtered (node, severity error+, last 7 days)",
                    () -> "/timeline?node=" + node + "&min_severity=error&since=7d", false);
            List<String> cids = sample.chainIds();
            measure(browser, "chain page `/chains/{id}`, random chains",
                    () -> "/chains/" + cids.get(rnd.nextInt(cids.size())), false);
        }
    }

    interface Path {
        String next();
    }

    private void measure(Browser browser, String what, Path path, boolean listedIsDistinct) throws Exception {
        for (int i = 0; i < warmUp; i++) {
            load(browser, path.next());
        }
        double[] paint = new double[runs];
        double[] listed = new double[runs];
        double[] rendered = new double[runs];
        String said = "";
        for (int i = 0; i < runs; i++) {
            Load l = load(browser, path.next());
            paint[i] = l.paint();
            listed[i] = l.listed();
            rendered[i] = l.rendered();
            said = l.said();
        }
        put.accept("Console " + what + ": first paint (p50 / max of " + runs + ")", p50max(paint));
        if (listedIsDistinct) {
            put.accept("Console " + what + ": list shown (p50 / max)", p50max(listed));
        }
        put.accept("Console " + what + ": rendered, main no longer busy (p50 / max)" + (said.isEmpty()
                ? ""
                : "; it said: "
                        + said),
                p50max(rendered));
    }

    /** Navigates (a fresh document, so the marks start again) and waits until the view has rendered. */
    private static Load load(Browser browser, String path) throws InterruptedException {
        browser.driver.get("about:blank");
        browser.driver.get(browser.address(path));
        long deadline = System.nanoTime() + PAGE_DEADLINE.toNanos();
        while (true) {
            Object rendered = browser.js("return window.__bench && window.__bench.rendered;");
            if (rendered instanceof Number n && n.doubleValue() > 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark check failed: " + path + " did not render within "
                        + PAGE_DEADLINE + "; main shows: " + browser.mainText());
            }
            Thread.sleep(20);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) browser
                .js("const p = performance.getEntriesByName('first-contentful-paint')[0];"
                        + "const s = document.querySelector('#incidents .status-line, #incidents .empty, #timeline-status');"
                        + "return {paint: p ? p.startTime : -1, listed: window.__bench.listed || -1,"
                        + " rendered: window.__bench.rendered, said: s ? s.textContent : ''};");
        return new Load(num(m.get("paint")), num(m.get("listed")), num(m.get("rendered")), String.valueOf(m.get("said")));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : -1;
    }

    static String p50max(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        List<String> parts = new ArrayList<>();
        parts.add(String.format("%.0f ms", s[s.length / 2]));
        parts.add(String.format("%.0f ms", s[s.length - 1]));
        return String.join(" / ", parts);
    }
}
