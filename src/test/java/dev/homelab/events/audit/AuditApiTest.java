package dev.homelab.events.audit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.homelab.events.archive.ArchiveService;
import dev.homelab.events.storage.EventStore;

/**
 * The faces of the audit trail against a running server: the public key, verification over REST and as the
 * {@code verify_audit_trail} tool, and inclusion proofs an outsider can check. Each test works on a node of its
 * own, so events of other tests in the same store do not matter.
 */
@QuarkusTest
class AuditApiTest {

    @Inject
    EventStore store;
    @Inject
    ArchiveService archives;

    static String node() {
        return "audit-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String emit(String node, String timestamp) {
        return given().contentType(ContentType.JSON).body(Map.of("type", "deployment_started", "severity", "info", "source",
                "audit-test", "service", "web", "node", node, "timestamp", timestamp, "payload", Map.of("k", "v")))
                .post("/api/events").then().statusCode(201).extract().path("id");
    }

    @Test
    void thePublicKeyIsPublishedByTheApiAndInTheStore() throws Exception {
        var key = given().get("/api/audit/public-key").then().statusCode(200)
                .body("algorithm", equalTo("Ed25519")).body("node", equalTo("test-node"))
                .body("key_id", matchesPattern("[0-9a-f]{64}")).body("pem", containsString("-----BEGIN PUBLIC KEY-----"))
                .extract();
        assertEquals(key.<String>path("pem"), Files.readString(store.root().resolve(key.<String>path("store_copy"))));
    }

    @Test
    void aClosedDayVerifiesOverRestAndAsATool_andItsProofsCheckOutside() throws Exception {
        String node = node();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(emit(node, "2025-03-0" + (i + 1) + "T10:00:00Z"));
        }
        // these days are long past their grace: each closes at the next closing run (every second in tests); a second
        // event for one of them could arrive after that, as a late arrival (AuditTrailTest covers those)
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> given().get("/api/events/" + ids.get(0) + "/proof").statusCode() == 200);
        String json = given().get("/api/events/" + ids.get(0) + "/proof").then().statusCode(200)
                .body("tree_size", equalTo(1)).body("leaf_index", equalTo(0)).body("digest.node", equalTo(node)).extract()
                .asString();
        Proof proof = new ObjectMapper().readValue(json, Proof.class);
        assertEquals(ids.get(0), proof.id());
        assertTrue(ProofTest.checkIndependently(proof, Files.readAllBytes(store.root().resolve(proof.path()))));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> given().queryParam("node", node).get("/api/audit/verify").then().extract()
                        .<Integer>path("digests") == 3);
        given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200)
                .body("ok", equalTo(true)).body("checked", equalTo(3)).body("problems", hasSize(0));
        given().contentType(ContentType.JSON).body(Map.of("node", node, "since", "2025-03-02"))
                .post("/api/tools/verify_audit_trail")
                .then().statusCode(200).body("ok", equalTo(true)).body("checked", equalTo(2)).body("problems", hasSize(0))
                .body("problems_total", equalTo(0));

        // one changed byte, seen by both faces, named by path
        Path victim = store.root().resolve(proof.path());
        byte[] original = Files.readAllBytes(victim);
        Path second = store.root().resolve(given().get("/api/events/" + ids.get(1) + "/proof").then().statusCode(200)
                .extract().<String>path("path"));
        byte[] secondBytes = Files.readAllBytes(second);
        try {
            Files.writeString(victim,
                    new String(original, java.nio.charset.StandardCharsets.UTF_8).replace("\"web\"", "\"wab\""));
            given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("problems", hasSize(1)).body("problems[0].path", equalTo(proof.path()))
                    .body("problems[0].kind", equalTo("modified"));
            given().contentType(ContentType.JSON).body(Map.of("node", node)).post("/api/tools/verify_audit_trail").then()
                    .statusCode(200).body("ok", equalTo(false)).body("problems[0].path", equalTo(proof.path()))
                    .body("problems_total", equalTo(1));
            // a deleted file too: both faces list both, by path (AuditToolsTest: the tool's list is cut at ten)
            Files.delete(second);
            given().contentType(ContentType.JSON).body(Map.of("node", node)).post("/api/tools/verify_audit_trail").then()
                    .statusCode(200).body("ok", equalTo(false)).body("problems", hasSize(2))
                    .body("problems_total", equalTo(2)).body("problems[0].path", equalTo(proof.path()))
                    .body("problems[1].kind", equalTo("deleted"));
            given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200).body("problems", hasSize(2));
        } finally {
            Files.write(victim, original);
            if (!Files.exists(second)) {
                Files.write(second, secondBytes);
            }
        }
    }

    /** Emits one event of {@code node} on {@code day} and waits until its day is closed: the file, sealed. */
    private Path sealedEventFile(String node, String day) {
        String id = emit(node, day + "T10:00:00Z");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> given().queryParam("node", node).get("/api/audit/verify").then().extract()
                        .<Integer>path("digests") == 1);
        return store.root().resolve(given().get("/api/events/" + id + "/proof").then().statusCode(200).extract()
                .<String>path("path"));
    }

    /**
     * The server's own wiring: the archiver of this application asks the audit trail before it archives a day. The
     * day is one of 2011 no other test writes, since archiving takes the whole day, every node.
     */
    @Test
    void theArchiverKeepsADayLiveWhileItsAuditTrailReportsAProblem() throws Exception {
        String node = node();
        String day = LocalDate.of(2011, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(365)).toString();
        // closed and sealed: the day's digest is written (a tamper is then a change after the seal)
        Path file = sealedEventFile(node, day);
        Path zip = archives.archiveDir().resolve(day + ".zip");
        byte[] original = Files.readAllBytes(file);
        Files.writeString(file, new String(original, StandardCharsets.UTF_8).replace("\"web\"", "\"wab\""));

        given().post("/api/archive/" + day).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString(store.root().relativize(file).toString()))
                .body("errors[0].field", equalTo("date"));
        assertTrue(Files.exists(file), "the day stays live");
        assertFalse(Files.exists(zip), "and no archive is written");

        Files.write(file, original);
        given().post("/api/archive/" + day).then().statusCode(200).body("outcome", equalTo("archived"))
                .body("removed", equalTo(1));
        assertFalse(Files.exists(file));
        assertTrue(Files.exists(zip));
        given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200).body("ok", equalTo(true))
                .body("checked", equalTo(1));
    }

    /**
     * The server's own restore checks an archive against the digests it carries before it writes anything: an archive
     * changed after its day was sealed is refused (409 naming the file) and nothing changes; the honest one restores.
     */
    @Test
    void aRestoreOfAnArchiveChangedAfterItsDayWasSealedIsRefusedAndChangesNothing() throws Exception {
        String node = node();
        String day = LocalDate.of(2012, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(365)).toString();
        // closed and sealed: the day's digest is written (a tamper is then a change after the seal)
        Path file = sealedEventFile(node, day);
        given().post("/api/archive/" + day).then().statusCode(200).body("outcome", equalTo("archived"));
        Path zip = archives.archiveDir().resolve(day + ".zip");
        byte[] honest = Files.readAllBytes(zip);
        var archiver = new dev.homelab.events.archive.DayArchiver(store.files(), archives.archiveDir(), new ObjectMapper());
        String victim = ArchiveAuditTest.tamperOneEvent(archiver, zip);
        byte[] tampered = Files.readAllBytes(zip);

        given().post("/api/archive/restore/" + day).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString(victim)).body("detail", containsString("Nothing was restored"))
                .body("errors[0].field", equalTo("date"));
        assertFalse(Files.exists(file), "nothing is written back");
        assertTrue(java.util.Arrays.equals(tampered, Files.readAllBytes(zip)), "the archive stays as it is");
        given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                .body("problems[0].path", equalTo(victim)).body("problems[0].kind", equalTo("modified"));

        Files.write(zip, honest);
        given().post("/api/archive/restore/" + day).then().statusCode(200).body("written", equalTo(1))
                .body("archive_removed", equalTo(true));
        assertTrue(Files.exists(file));
        given().queryParam("node", node).get("/api/audit/verify").then().statusCode(200).body("ok", equalTo(true));
    }

    @Test
    void noProofWhileTheDayIsOpenAndNoneForAnUnknownEvent() {
        // whole seconds: main refuses sub-microsecond timestamps, and Instant.now() may carry nanoseconds
        String id = emit(node(), java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        given().get("/api/events/" + id + "/proof").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("not closed yet"));
        given().get("/api/events/" + UUID.randomUUID() + "/proof").then().statusCode(404);
        given().get("/api/events/not-a-uuid/proof").then().statusCode(400);
    }

    @Test
    void badArgumentsAreNamed() {
        given().queryParam("since", "last tuesday").get("/api/audit/verify").then().statusCode(400)
                .body("detail", containsString("since"));
        given().queryParam("node", "no/slash").get("/api/audit/verify").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("until", "soon")).post("/api/tools/verify_audit_trail").then()
                .statusCode(400);
    }
}
