package dev.homelab.events.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline verifier: a copy of the store and the public key, no server; the exit status says it all. */
class VerifyMainTest {

    @TempDir
    Path root;
    @TempDir
    Path keyDir;
    @TempDir
    Path elsewhere;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = VerifyMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCopyOfTheStoreVerifiesWithThePublicKeyAloneAndEachProblemIsNamed() throws IOException {
        Path copy = elsewhere.resolve("copy");
        Path pub = elsewhere.resolve("node.pub");
        try (AuditFixture f = new AuditFixture(root, keyDir).standard()) {
            Files.writeString(pub, f.keys.publicKeyPem());
            copyTree(root, copy);
        }
        Run ok = run(copy.toString(), "--public-key", pub.toString());
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("ok: 10 event file(s) checked"), ok.out());

        String victim;
        try (Stream<Path> s = Files.list(copy.resolve(AuditFixture.D2).resolve("pi4"))) {
            victim = copy.relativize(s.sorted().findFirst().orElseThrow()).toString();
        }
        Files.writeString(copy.resolve(victim), Files.readString(copy.resolve(victim)).replace("web", "wed"));
        Files.delete(copy.resolve(".audit").resolve(AuditFixture.D1).resolve("pi4.digest"));
        Run bad = run(copy.toString(), "--public-key", pub.toString());
        assertEquals(1, bad.status(), bad.out());
        assertTrue(bad.out().contains("PROBLEM modified " + victim + ": content differs from its seal"), bad.out());
        assertTrue(bad.out().contains("PROBLEM digest_missing .audit/" + AuditFixture.D1 + "/pi4.digest"), bad.out());
        assertTrue(bad.out().contains("FAILED: 2 problem(s)"), bad.out());
    }

    @Test
    void withoutAPublicKeyItSaysItTrustedTheStoresOwnKeys() throws IOException {
        new AuditFixture(root, keyDir).standard().close();
        Run r = run(root.toString());
        assertEquals(0, r.status());
        assertTrue(r.out().contains("note keys_from_store .audit/keys"), r.out());
    }

    @Test
    void anotherKeyFailsEveryDigest() throws IOException {
        new AuditFixture(root, keyDir).standard().close();
        Path otherKey = elsewhere.resolve("other.key");
        Files.writeString(elsewhere.resolve("other.pub"), AuditKeys.loadOrCreate(otherKey).publicKeyPem());
        Run r = run(root.toString(), "--public-key", elsewhere.resolve("other.pub").toString(), "--json");
        assertEquals(1, r.status());
        assertEquals(4, r.out().split("\"wrong_key\"", -1).length - 1, r.out());
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, run().status());
        assertEquals(2, run(root.resolve("missing").toString()).status());
        assertEquals(2, run(root.toString(), "--since", "yesterday").status());
        assertEquals(2, run(root.toString(), "--public-key", root.resolve("none.pub").toString()).status());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
