package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.TestEvents;

/**
 * Kills a writing JVM with SIGKILL at random moments, many times: no final-named file may be partial or
 * empty, and every id the child reported as acknowledged must be on disk.
 */
class CrashSafetyTest {

    @TempDir
    Path root;

    @Test
    void sigkillNeverLeavesAPartialFileOrLosesAnAcknowledgedEvent() throws Exception {
        Random random = new Random(42);
        Set<UUID> acknowledged = new HashSet<>();
        int kills = 12;
        for (int i = 0; i < kills; i++) {
            Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    CrashingWriter.class.getName(), root.toString(), "node" + (i % 3))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            // wait until it is really writing, then let it run a random while before the kill
            String first = out.readLine();
            assertTrue(first != null, "child wrote nothing");
            acknowledged.add(UUID.fromString(first));
            Thread.sleep(20 + random.nextInt(150));
            // SIGKILL: no shutdown hooks, no flush. (Process.destroyForcibly would also close our end of the pipe.)
            new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.length() == 36) { // a line cut by the kill was never an acknowledgement
                    acknowledged.add(UUID.fromString(line));
                }
            }
        }

        EventStore store = TestEvents.store(root);
        Set<UUID> onDisk = new HashSet<>();
        List<EventFiles.Entry> entries = new java.util.ArrayList<>();
        store.scan(entries::add);
        int temps = 0;
        for (EventFiles.Entry entry : entries) {
            if (entry instanceof EventFiles.Entry.Candidate c) {
                ReadResult r = store.read(c.relativePath());
                onDisk.add(assertInstanceOf(ReadResult.Ok.class, r, "partial or corrupt final file " + c.relativePath()).event()
                        .id());
            } else {
                EventFiles.Entry.Problem p = (EventFiles.Entry.Problem) entry;
                assertEquals(FileProblem.Reason.TEMP_FILE, p.reason(), "only leftover temp files may remain: " + p);
                temps++;
            }
        }
        assertTrue(acknowledged.size() > kills, "the children made progress: " + acknowledged.size());
        Set<UUID> lost = new HashSet<>(acknowledged);
        lost.removeAll(onDisk);
        assertEquals(Set.of(), lost, "acknowledged events missing after SIGKILL");
        assertTrue(temps <= kills, "at most one in-flight temp file per kill, found " + temps);
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
