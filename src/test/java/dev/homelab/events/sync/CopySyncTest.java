package dev.homelab.events.sync;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.junit.QuarkusTest;

/** Copying another node's tree in with ordinary tools is a supported sync: the server indexes what arrives. */
@QuarkusTest
class CopySyncTest {

    @TempDir
    Path other;

    private String fillOtherNode(int n, Path dir) throws IOException {
        Fixtures.Node node = Fixtures.Node.at(dir);
        String chain = "copied-" + UUID.randomUUID();
        for (int i = 0; i < n; i++) {
            node.emit(Instant.parse("2026-04-01T10:00:00Z").plusSeconds(i), "far-node", chain);
        }
        return chain;
    }

    private static Path root() {
        return Path.of(given().get("/api/store").then().extract().<String>path("root"));
    }

    private static int waitForChain(String chain, int expected) throws InterruptedException {
        int count = 0;
        for (int i = 0; i < 100 && count != expected; i++) {
            count = given().get("/api/events?correlation_id=" + chain).then().extract().path("total");
            if (count != expected) {
                Thread.sleep(100);
            }
        }
        return count;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }

    @Test
    void aTreeCopiedWithCpNoClobberIsListed() throws Exception {
        Path src = other.resolve("cp");
        String chain = fillOtherNode(4, src);
        // .sync state of the other node must not be copied: it is per node
        run(List.of("cp", "-rn", src.resolve("2026-04-01").toString(), root().toString()));
        assertEquals(4, waitForChain(chain, 4));
        run(List.of("cp", "-rn", src.resolve("2026-04-01").toString(), root().toString()));
        assertEquals(4, waitForChain(chain, 4), "copying again changes nothing");
    }

    @Test
    void aTreeCopiedWithRsyncIgnoreExistingIsListed() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/rsync")) || Files.isExecutable(Path.of("/bin/rsync")),
                "rsync is not installed (apt-get install rsync); skipping the rsync variant");
        Path src = other.resolve("rsync");
        String chain = fillOtherNode(3, src);
        run(List.of("rsync", "-a", "--ignore-existing", "--exclude=.*", src + "/", root() + "/"));
        assertEquals(3, waitForChain(chain, 3));
    }
}
