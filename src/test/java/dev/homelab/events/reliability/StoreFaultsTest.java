package dev.homelab.events.reliability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.homelab.events.testing.StoreFiles;
import dev.homelab.events.testing.TmpfsStore;

/**
 * Faults of the disk under a running server: full, out of inodes, permission denied, read-only. Each write
 * fails with a problem+json 507 or 503, leaves no final-named and no temp file, reads keep working, readiness
 * goes DOWN with the reason, and removing the fault is enough to write again: no restart.
 */
@QuarkusTest
@TestProfile(StoreFaultsTest.OnTmpfs.class)
class StoreFaultsTest {

    public static class OnTmpfs implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TmpfsStore.class));
        }
    }

    static final String EVENT = "{\"type\":\"deployment_started\",\"severity\":\"info\",\"source\":\"ci\",\"service\":\"web\","
            + "\"correlation_id\":\"faults\"}";

    Path mount;
    Path root;

    @BeforeEach
    void healthyStore() {
        mount = TmpfsStore.mount();
        root = mount.resolve("events");
        // every test starts from a healthy, writable store holding at least one event in today's node folder
        given().contentType("application/json").body(EVENT).post("/api/events").then().statusCode(201);
    }

    /** Disk full, inodes and read-only need the tmpfs; permission denied works on any directory. */
    static void requireTmpfs() {
        String skip = TmpfsStore.skipReason();
        if (skip != null) {
            System.out.println("SKIPPED (fault not injected): " + skip);
        }
        Assumptions.assumeTrue(skip == null, skip);
    }

    @Test
    void diskFull() throws Exception {
        requireTmpfs();
        Path filler = mount.resolve("filler");
        try {
            fillBytes(filler);
            assertWriteRefused(507, "full");
            assertReadinessDown("free disk space");
        } finally {
            Files.deleteIfExists(filler);
        }
        assertRecovered();
    }

    @Test
    void outOfInodes() throws Exception {
        requireTmpfs();
        Path fillers = Files.createDirectories(mount.resolve("inodes"));
        try {
            fillInodes(fillers);
            assertWriteRefused(507, "no inodes");
            assertReadinessDown("No space left on device");
        } finally {
            deleteTree(fillers);
        }
        assertRecovered();
    }

    @Test
    void readOnlyStore() throws Exception {
        requireTmpfs();
        assertNull(TmpfsStore.runStatus(List.of("mount", "-o", "remount,ro", mount.toString())));
        try {
            assertWriteRefused(503, "read-only file system");
            assertReadinessDown("Read-only file system");
        } finally {
            assertNull(TmpfsStore.runStatus(List.of("mount", "-o", "remount,rw", mount.toString())));
        }
        assertRecovered();
    }

    @Test
    void permissionDenied() throws Exception {
        // root ignores file modes, so as root the directories are made immutable (EPERM); otherwise chmod 0555 (EACCES)
        boolean asRoot = TmpfsStore.run(List.of("id", "-u")).strip().equals("0");
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(root)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            String failed = TmpfsStore
                    .runStatus(asRoot ? List.of("chattr", "+i", d.toString()) : List.of("chmod", "0555", d.toString()));
            Assumptions.assumeTrue(failed == null, "cannot make " + d + " unwritable: " + failed);
        }
        try {
            assertWriteRefused(503, "permission denied");
            assertReadinessDown("not writable");
        } finally {
            for (Path d : dirs) {
                TmpfsStore.runStatus(asRoot ? List.of("chattr", "-i", d.toString()) : List.of("chmod", "0755", d.toString()));
            }
        }
        assertRecovered();
    }

    private void assertWriteRefused(int status, String reason) throws IOException {
        List<String> before = StoreFiles.all(root);
        int listed = given().get("/api/events").then().statusCode(200).extract().path("total");
        Response r = given().contentType("application/json").body(EVENT).post("/api/events");
        r.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("detail", containsString(reason)).body("detail", containsString("nothing was stored"));
        assertEquals(before, StoreFiles.all(root), "no final-named file and no temp file after a failed write");
        assertEquals(List.of(), StoreFiles.temps(root));
        given().get("/api/events").then().statusCode(200).body("total", equalTo(listed));
        given().get("/api/chains/faults").then().statusCode(200);
    }

    private void assertReadinessDown(String reason) {
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'event-store' }.data.reason", containsString(reason));
        given().get("/q/health/live").then().statusCode(200);
    }

    private void assertRecovered() {
        given().get("/q/health/ready").then().statusCode(200);
        given().contentType("application/json").body(EVENT).post("/api/events").then().statusCode(201);
    }

    private static void fillBytes(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("No space left"), e.toString());
        }
    }

    private static void fillInodes(Path dir) throws IOException {
        try {
            for (int i = 0; i < 1_000_000; i++) {
                Files.createFile(dir.resolve("f" + i));
            }
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("No space left"), e.toString());
            return;
        }
        throw new AssertionError("the inode table never ran out");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
