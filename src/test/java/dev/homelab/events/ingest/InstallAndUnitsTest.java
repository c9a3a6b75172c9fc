package dev.homelab.events.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * tools/install.sh into a temporary prefix (twice: the second run changes nothing), and the OnFailure template
 * unit's ExecStart run by hand, as systemd would with {@code %i} substituted, against a temporary store and with
 * no server: the event is in the store.
 */
class InstallAndUnitsTest {

    static final Path REPO = Path.of("").toAbsolutePath();
    static final String LIBDIR = "usr/local/lib/homelab-events";

    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    static Run run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HOMELAB_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Path install(Path prefix, Path server) throws Exception {
        Run first = run(Map.of(), List.of("bash", REPO.resolve("tools/install.sh").toString(), "--prefix", prefix.toString(),
                "--server", server.toString()));
        assertEquals(0, first.exit(), first.out());
        assertTrue(first.out().contains("install.sh: done"), first.out());
        return prefix;
    }

    @Test
    void installsIdempotentlyUnderAPrefix() throws Exception {
        Path server = Files.createDirectories(tmp.resolve("quarkus-app"));
        Files.writeString(server.resolve("quarkus-run.jar"), "jar");
        Files.writeString(Files.createDirectories(server.resolve("lib")).resolve("app.jar"), "lib");
        // the class-data archive is refused by the JVM when a jar's time differs from the build's
        FileTime built = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(server.resolve("lib/app.jar"), built);
        Path prefix = install(tmp.resolve("root"), server);

        Run second = run(Map.of(), List.of("bash", REPO.resolve("tools/install.sh").toString(), "--prefix",
                prefix.toString(), "--server", server.toString()));
        assertEquals(0, second.exit(), second.out());
        assertEquals("install.sh: already up to date", second.out().strip(), "a second run must change nothing");

        for (String f : List.of("scripts/__init__.py", "scripts/lib/__init__.py", "scripts/lib/events.sh",
                "scripts/lib/events.py")) {
            assertEquals(-1, Files.mismatch(REPO.resolve("tools/" + f), prefix.resolve(LIBDIR + "/" + f)), f);
        }
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(prefix.resolve(LIBDIR + "/bin/homelab-unit-failed"))));
        assertEquals("jar", Files.readString(prefix.resolve(LIBDIR + "/server/quarkus-run.jar")));
        assertEquals("lib", Files.readString(prefix.resolve(LIBDIR + "/server/lib/app.jar")));
        assertEquals(built, Files.getLastModifiedTime(prefix.resolve(LIBDIR + "/server/lib/app.jar")));
        assertTrue(Files.isDirectory(prefix.resolve("opt/homelab/events")));
        assertTrue(Files.isRegularFile(prefix.resolve("etc/homelab-events/env")));

        String unit = Files.readString(prefix.resolve("etc/systemd/system/homelab-events.service"));
        assertTrue(unit.contains("ReadWritePaths=" + prefix + "/opt/homelab/events"), unit);
        assertTrue(unit.lines().anyMatch(("WorkingDirectory=" + prefix + "/" + LIBDIR + "/server")::equals), unit);
        assertTrue(
                unit.lines().anyMatch("ExecStart=/usr/bin/java -XX:SharedArchiveFile=app-cds.jsa -jar quarkus-run.jar"::equals),
                unit);
        for (String option : List.of("User=homelab-events", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes")) {
            assertTrue(unit.lines().anyMatch(option::equals), option);
        }
        assertFalse(Files.readString(prefix.resolve("etc/systemd/system/homelab-event@.service"))
                .contains("ExecStart=/usr/local/"), "the template's paths name the prefix");

        // a changed library is put back by the next run
        Files.writeString(prefix.resolve(LIBDIR + "/scripts/lib/events.sh"), "# edited\n");
        Run third = run(Map.of(), List.of("bash", REPO.resolve("tools/install.sh").toString(), "--prefix",
                prefix.toString(), "--no-server"));
        assertEquals(0, third.exit(), third.out());
        assertTrue(third.out().contains("scripts/lib/events.sh"), third.out());
        assertEquals(-1, Files.mismatch(REPO.resolve("tools/scripts/lib/events.sh"),
                prefix.resolve(LIBDIR + "/scripts/lib/events.sh")));
    }

    @Test
    void refusesWithoutABuiltServerOrAPrefixAsNonRoot() throws Exception {
        Run r = run(Map.of(), List.of("bash", REPO.resolve("tools/install.sh").toString(), "--prefix",
                tmp.resolve("p").toString(), "--server", tmp.resolve("missing").toString()));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("no server in"), r.out());
    }

    @Test
    void theOnFailureTemplateRecordsTheFailedUnitWithTheServerDown() throws Exception {
        Path prefix = tmp.resolve("root");
        Run installed = run(Map.of(), List.of("bash", REPO.resolve("tools/install.sh").toString(), "--prefix",
                prefix.toString(), "--no-server"));
        assertEquals(0, installed.exit(), installed.out());
        String template = Files.readString(prefix.resolve("etc/systemd/system/homelab-event@.service"));
        String execStart = template.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .substring("ExecStart=".length());
        // what systemd runs for OnFailure=homelab-event@%n.service when backup-nas.service fails
        List<String> command = new ArrayList<>(Arrays.asList(execStart.replace("%i", "backup-nas.service").split(" ")));
        Path store = tmp.resolve("store");
        // no HOMELAB_EVENTS_URL and no server running: the library writes the store itself
        Run r = run(Map.of("HOMELAB_EVENTS_DIR", store.toString(), "HOMELAB_NODE", "nas"), command);
        assertEquals(0, r.exit(), r.out());

        List<Path> files;
        try (Stream<Path> s = Files.walk(store)) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertEquals(1, files.size(), files.toString());
        JsonNode e = new ObjectMapper().readTree(files.get(0).toFile());
        assertEquals("service_unhealthy", e.path("type").asText());
        assertEquals("error", e.path("severity").asText());
        assertEquals("systemd", e.path("source").asText());
        assertEquals("backup-nas", e.path("service").asText());
        assertEquals("nas", e.path("node").asText());
        assertEquals("backup-nas.service", e.path("payload").path("unit").asText());
        assertTrue(e.path("payload").path("journal").isArray(), e.toString());
        assertFalse(e.path("payload").path("journal").isEmpty(), "the journal lines, or why there are none");
    }
}
