package dev.homelab.events.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** GET /api/chains/{id}/files: where each event of a chain is stored, as the index knows it. */
@QuarkusTest
class ChainFilesTest {

    static final Seed SEED = new Seed(null);

    @Test
    void listsTheFileOfEveryEventOfTheChain() {
        String cid = Seed.unique("files");
        String a = SEED.event(cid, "deployment_started", "info", "files-svc", Map.of());
        String b = SEED.event(cid, "deployment_failed", "error", "files-svc", Map.of("stage", "verify"));
        SEED.event(Seed.unique("other"), "deployment_started", "info", "files-svc", Map.of());
        String root = SEED.root();
        List<Map<String, String>> files = given().get("/api/chains/" + cid + "/files").then().statusCode(200)
                .body("correlation_id", is(cid)).body("root", is(root)).body("has_more", is(false))
                .extract().path("files");
        assertEquals(Set.of(a, b), files.stream().map(f -> f.get("id")).collect(Collectors.toSet()));
        for (Map<String, String> f : files) {
            Path file = Path.of(root).resolve(f.get("path"));
            assertTrue(Files.isRegularFile(file), "the file is in the store: " + file);
            // the id is the UUID in the file name (the file holds the eight fields)
            assertTrue(file.getFileName().toString().contains(f.get("id")), "and is that event's file: " + file);
        }
    }

    @Test
    void anUnknownOrBlankChainHasNoFiles() {
        given().get("/api/chains/no-such-chain-4f1e/files").then().statusCode(200).body("files.size()", is(0));
        // a blank id must not become "no filter", which would list every file of the store
        given().get("/api/chains/%20/files").then().statusCode(200).body("files.size()", is(0));
    }
}
