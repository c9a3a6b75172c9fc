package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Runs the libraries' own test suites (tools/tests), so that {@code ./mvnw verify} fails when the bash or
 * Python library breaks. Their output is printed, counts included.
 */
class LibrarySuitesTest {

    @Test
    void pythonLibrarySuitePasses() throws Exception {
        Tools.assumeInstalled("python3");
        Tools.Result r = Tools.run(List.of("python3", "-m", "unittest", "discover", "-s", "tools/tests", "-t", "tools"),
                Map.of(), Duration.ofMinutes(10));
        System.out.println("[tools] python3 -m unittest discover -s tools/tests -t tools\n" + Tools.tail(r.stderr(), 1500));
        assertEquals(0, r.exitCode(), r.describe());
        Matcher m = Pattern.compile("Ran (\\d+) tests?").matcher(r.stderr());
        assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0, "the suite ran tests\n" + r.describe());
    }

    @Test
    void bashLibrarySuitePasses() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        Tools.Result r = Tools.run(List.of("bash", "tools/tests/test_events.sh"), Map.of(), Duration.ofMinutes(10));
        List<String> lines = r.lines();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        System.out.println("[tools] bash tools/tests/test_events.sh\n" + Tools.tail(r.stdout(), 1500));
        assertEquals(0, r.exitCode(), r.describe());
        Matcher m = Pattern.compile("(\\d+) passed, 0 failed(, \\d+ skipped)?").matcher(last);
        assertTrue(m.matches() && Integer.parseInt(m.group(1)) > 0, "summary line: " + last + "\n" + r.describe());
    }
}
