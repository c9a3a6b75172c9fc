package dev.homelab.events.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven through Selenium. The
 * driver and browser paths are given, so Selenium Manager never looks for, or downloads, anything. Without the
 * browser the tests are skipped with a message, except under CI, where they fail. Public for the console's render
 * benchmark (bench/ConsoleRenderBenchmark), which drives the same browser the same way.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Where screenshots go; README's pictures are copies from here (docs/console/). */
    static final Path SCREENSHOTS = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));

    public final ChromeDriver driver;
    private final Path profile;
    private final String base;

    private Browser(ChromeDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** Skips (locally) or fails (CI) when the browser is not installed. */
    static void requireChromium() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (present) {
            return;
        }
        String message = "the console's browser tests need Debian's chromium and chromium-driver ("
                + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install -y chromium chromium-driver";
        if (System.getenv("CI") != null) {
            fail(message + " (CI is set, so this is a failure, not a skip)");
        }
        Assumptions.abort("skipped: " + message);
    }

    public static Browser open(String base) {
        requireChromium();
        Path profile;
        try {
            profile = Files.createTempDirectory("console-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL", "performance", "ALL"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new Browser(driver, profile, base);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp profile left behind is harmless
            }
        }
    }

    /** Opens a console address, as a pasted link, keeping the tab's session storage (the token, if set). */
    void go(String path) {
        driver.get(address(path));
        waitUntilRendered();
    }

    /** The full address of a console path on this server. */
    public String address(String path) {
        return base + path;
    }

    void clearSession() {
        js("sessionStorage.clear();");
    }

    /** The view has rendered once main is no longer busy. */
    void waitUntilRendered() {
        waitFor(() -> "false".equals(driver.findElement(By.id("main")).getDomAttribute("aria-busy")),
                "the view at " + driver.getCurrentUrl() + " to render");
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String mainText() {
        return find("main").getText();
    }

    void waitForText(String text) {
        waitFor(() -> mainText().contains(text), "main to show '" + text + "'");
    }

    void waitFor(Supplier<Boolean> condition, String what) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(condition::get);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + " at " + driver.getCurrentUrl() + "; main shows:\n"
                    + mainText() + "\n" + diagnostics(), e);
        }
    }

    /** What the browser said (console messages, script errors), and a screenshot of the moment. */
    String diagnostics() {
        StringBuilder b = new StringBuilder("browser log:");
        try {
            driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                    .forEach(entry -> b.append("\n  ").append(entry.getLevel()).append(' ').append(entry.getMessage()));
        } catch (RuntimeException e) {
            b.append(" unavailable (").append(e.getMessage()).append(')');
        }
        try {
            b.append("\nrequests finished: ").append(js("return performance.getEntriesByType('resource')"
                    + ".map(e => e.name + ' ' + Math.round(e.duration) + ' ms').join('\\n');"));
        } catch (RuntimeException e) {
            b.append("\nrequests unavailable: ").append(e.getMessage());
        }
        try {
            List<String> net = new ArrayList<>();
            driver.manage().logs().get(org.openqa.selenium.logging.LogType.PERFORMANCE).forEach(entry -> {
                String m = entry.getMessage();
                if (m.contains("\"Network.")
                        && (m.contains("/api/") || m.contains("loadingFailed") || m.contains("loadingFinished"))) {
                    net.add(m.length() > 400 ? m.substring(0, 400) : m);
                }
            });
            b.append("\nnetwork (last 40):");
            net.subList(Math.max(0, net.size() - 40), net.size()).forEach(m -> b.append("\n  ").append(m));
        } catch (RuntimeException e) {
            b.append("\nnetwork log unavailable: ").append(e.getMessage());
        }
        // the server runs in this JVM: where are its request threads?
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("executor-thread") || thread.getName().startsWith("vert.x-eventloop")) {
                b.append("\n").append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    b.append("\n    at ").append(stack[i]);
                }
            }
        });
        screenshot("failure-" + System.currentTimeMillis());
        return b.toString();
    }

    String path() {
        return (String) js("return location.pathname + location.search + location.hash;");
    }

    void phoneWidth() {
        driver.manage().window().setSize(new Dimension(390, 844));
    }

    void desktopWidth() {
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /** Emulates prefers-color-scheme through the DevTools protocol of chromedriver (no extra download). */
    void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            // the whole page, not only the window: set the window to the document's height first
            long height = ((Number) js("return Math.max(document.documentElement.scrollHeight, 600);")).longValue();
            Dimension before = driver.manage().window().getSize();
            driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 120, 4000)));
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(before);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs axe-core (vendored, src/test/resources/axe) on the current page and fails on serious or critical
     * violations, naming each rule and the elements it found.
     */
    void assertAccessible(String where) {
        if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object';"))) {
            js(AXE.get());
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> violations = (List<Map<String, Object>>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({"
                        + "id: v.id, impact: v.impact, help: v.help,"
                        + "nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary).slice(0, 5)}))),"
                        + "e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));");
        List<String> serious = new ArrayList<>();
        for (Map<String, Object> v : violations) {
            String impact = String.valueOf(v.get("impact"));
            if (impact.equals("serious") || impact.equals("critical")) {
                serious.add(v.get("id") + " (" + impact + "): " + v.get("help") + "\n    " + v.get("nodes"));
            }
        }
        assertTrue(serious.isEmpty(), "accessibility violations on " + where + ":\n" + String.join("\n", serious));
    }

    /** No horizontal scrolling at the current width: the page fits a phone. */
    void assertNoHorizontalScroll(String where) {
        long overflow = ((Number) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;"))
                .longValue();
        assertTrue(overflow <= 1, where + " scrolls sideways by " + overflow + " px at " + driver.manage().window().getSize());
    }

    private static final Supplier<String> AXE = new Supplier<>() {
        private String script;

        @Override
        public synchronized String get() {
            if (script == null) {
                try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
                    if (in == null) {
                        throw new IllegalStateException("axe/axe.min.js is missing from the test resources");
                    }
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return script;
        }
    };
}
