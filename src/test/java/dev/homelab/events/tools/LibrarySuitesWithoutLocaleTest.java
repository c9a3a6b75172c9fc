package dev.homelab.events.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash and Python library suites once more, started with no locale at all ({@code LANG}, {@code LC_ALL} and
 * every {@code LC_*} removed), as cron, systemd and desktop agents often start scripts: the libraries write and
 * read UTF-8 whatever the locale (issue 13). {@link LibrarySuitesTest} runs them with the caller's locale and
 * reports their skips; this one checks that nothing fails here.
 */
class LibrarySuitesWithoutLocaleTest {

    @TempDir
    Path tmp;

    /** Runs {@code command} from the repository root without any locale variable; output into files. */
    private String[] run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Tools.BASEDIR.toFile());
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_")
                || k.startsWith("HOMELAB_") || k.equals("PYTHONUTF8") || k.equals("PYTHONIOENCODING"));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of(
                "/dev/null").toFile()));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new String[]{ String.valueOf(p.exitValue()), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8) };
    }

    @Test
    @Timeout(900)
    void bashSuitePassesWithoutALocale() throws Exception {
        Tools.assumeInstalled("bash", "python3");
        String[] r = run(List.of("bash", "tools/tests/test_events.sh"));
        List<String> lines = r[1].lines().toList();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        System.out.println("[tools, no locale] bash tools/tests/test_events.sh: " + last);
        Matcher m = Pattern.compile("(\\d+) passed, (\\d+) failed, (\\d+) skipped").matcher(last);
        assertTrue(m.matches(), "summary line: " + last + "\n" + Tools.tail(r[1], 4000) + Tools.tail(r[2], 2000));
        assertEquals("0", m.group(2), Tools.tail(r[1], 6000));
        assertEquals("0", r[0], Tools.tail(r[1], 4000) + Tools.tail(r[2], 2000));
        assertTrue(Integer.parseInt(m.group(1)) > 300, "the suite ran its checks: " + last);
    }

    @Test
    @Timeout(900)
    void pythonSuitePassesWithoutALocale() throws Exception {
        Tools.assumeInstalled("python3");
        String[] r = run(List.of("python3", "-m", "unittest", "discover", "-s", "tools/tests", "-t", "tools"));
        System.out.println("[tools, no locale] python3 -m unittest: " + Tools.tail(r[2], 300));
        assertEquals("0", r[0], Tools.tail(r[2], 6000));
        Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(r[2]);
        assertTrue(ran.find() && Integer.parseInt(ran.group(1)) > 20, Tools.tail(r[2], 2000));
    }
}
