package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the libraries' own test suites (tools/tests), so that {@code ./mvnw verify} fails when the bash or Python
 * library breaks. Their output is printed, counts included. Each check a suite skips (no strace for the fsync
 * faults, not root for the tmpfs faults, ...) is reported as a skipped test of its own, with the suite's reason,
 * so a skip never passes for a pass.
 */
class LibrarySuitesTest {

    /** "SKIPPED [section] reason", one line per skipped check of the bash suite. */
    private static final Pattern BASH_SKIP = Pattern.compile("^SKIPPED \\[([^\\]]*)\\] (.*)$", Pattern.MULTILINE);
    /**
     * {@code python3 -m unittest discover -s tools/tests -t tools}, run from the repository root, that also prints
     * the skipped tests with their reasons as one JSON line on stdout.
     */
    private static final String PYTHON_RUNNER = """
            import json, sys, unittest
            suite = unittest.defaultTestLoader.discover("tools/tests", top_level_dir="tools")
            result = unittest.TextTestRunner(verbosity=1).run(suite)
            print(json.dumps({"skipped": [[test.id(), reason] for test, reason in result.skipped]}))
            sys.exit(0 if result.wasSuccessful() else 1)
            """;

    @TestFactory
    @Timeout(900)
    List<DynamicTest> pythonLibrarySuite() throws Exception {
        Tools.assumeInstalled("python3");
        Tools.Result r = Tools.run(List.of("python3", "-c", PYTHON_RUNNER), Map.of(), Duration.ofMinutes(10));
        System.out.println("[tools] python3 -m unittest discover -s tools/tests -t tools\n" + Tools.tail(r.stderr(), 1500));
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("python suite: every test that ran passed", () -> {
            assertEquals(0, r.exitCode(), r.describe());
            Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(r.stderr());
            assertTrue(ran.find() && Integer.parseInt(ran.group(1)) > 0, "the suite ran tests\n" + r.describe());
        }));
        // the runner's last line on stdout: {"skipped": [[test id, reason], ...]}
        List<String> out = r.lines();
        JsonNode result = out.isEmpty() ? Tools.MAPPER.createObjectNode() : Tools.MAPPER.readTree(out.get(out.size() - 1));
        for (JsonNode s : result.path("skipped")) {
            String test = s.get(0).asText().replaceFirst("^tests\\.test_events\\.", "");
            String reason = s.get(1).asText();
            tests.add(DynamicTest.dynamicTest("python suite skipped " + test + ": " + reason, () -> Assumptions.abort(reason)));
        }
        return tests;
    }

    @TestFactory
    @Timeout(900)
    List<DynamicTest> bashLibrarySuite() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        Tools.Result r = Tools.run(List.of("bash", "tools/tests/test_events.sh"), Map.of(), Duration.ofMinutes(10));
        List<String> lines = r.lines();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        System.out.println("[tools] bash tools/tests/test_events.sh\n" + Tools.tail(r.stdout(), 1500));
        Matcher m = Pattern.compile("(\\d+) passed, (\\d+) failed, (\\d+) skipped").matcher(last);
        boolean summarised = m.matches();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("bash suite: every check that ran passed", () -> {
            assertTrue(summarised, "summary line: " + last + "\n" + r.describe());
            assertEquals(0, r.exitCode(), r.describe());
            assertEquals("0", m.group(2), "failed checks\n" + r.describe());
            assertTrue(Integer.parseInt(m.group(1)) > 0, "the suite ran checks");
        }));
        Matcher skip = BASH_SKIP.matcher(r.stdout());
        int skipped = 0;
        while (skip.find()) {
            String section = skip.group(1);
            String reason = skip.group(2);
            tests.add(DynamicTest.dynamicTest("bash suite skipped [" + section + "]: " + reason,
                    () -> Assumptions.abort(reason)));
            skipped++;
        }
        int reported = skipped;
        tests.add(DynamicTest.dynamicTest("bash suite: every skip is reported as a skipped test", () -> {
            assertTrue(summarised, "summary line: " + last);
            assertEquals(Integer.parseInt(m.group(3)), reported, "skips in the summary vs. SKIPPED lines");
        }));
        return tests;
    }
}
