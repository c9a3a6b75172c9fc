package dev.homelab.events.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remediation start lock of the format: one marker per run of a step, linked, never replaced. */
class RemediationStepLocksTest {

    @TempDir
    Path root;

    private static final Set<UUID> NONE = Set.of();

    @Test
    void theKeyIsTheSha256OfChainServiceAndStepJoinedByNul() {
        // the same vectors as the bash and Python libraries (printf '%s\0%s\0%s' ... | sha256sum)
        assertEquals("e81d637efe8bf2d368cc7610c5d77c5401681e49ac5d26d0028a7946ce37a4f5",
                StepLocks.key("deploy-882", "mosquitto", "restart-mosquitto"));
        assertEquals("0d5c1a2eef7ec04b27c6d6bca3dd56b30b306c82919b9494b745239eeb11d888",
                StepLocks.key("chain-\u00e9", "svc", "step"));
    }

    @Test
    void theFirstClaimWinsTheOthersAreRefusedAndTheNextRunIsFree() throws Exception {
        StepLocks locks = new StepLocks(root);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        StepLocks.Outcome first = locks.claim("c", "svc", "restart", 0, a, NONE::contains);
        StepLocks.Claimed claimed = assertInstanceOf(StepLocks.Claimed.class, first);
        assertTrue(claimed.mine());
        Path marker = root.resolve(".locks/remediation/" + StepLocks.key("c", "svc", "restart") + ".0");
        assertEquals(marker, claimed.marker());
        String content = Files.readString(marker, StandardCharsets.UTF_8);
        assertTrue(content.startsWith("{\"event_id\":\"" + a + "\""), content);
        assertTrue(content.endsWith("}\n"), content);

        StepLocks.Held held = assertInstanceOf(StepLocks.Held.class, locks.claim("c", "svc", "restart", 0, b, NONE::contains));
        assertEquals(a, held.eventId());
        assertEquals(marker, held.marker());

        // the same request again (its id is the marker's): it is still the caller's, but not its to release
        StepLocks.Claimed twin = assertInstanceOf(StepLocks.Claimed.class,
                locks.claim("c", "svc", "restart", 0, a, NONE::contains));
        assertFalse(twin.mine());
        locks.release(twin);
        assertTrue(Files.exists(marker));

        // another run, another service or another chain is another marker
        assertInstanceOf(StepLocks.Claimed.class, locks.claim("c", "svc", "restart", 1, b, NONE::contains));
        assertInstanceOf(StepLocks.Claimed.class, locks.claim("c", "other", "restart", 0, b, NONE::contains));
        assertInstanceOf(StepLocks.Claimed.class, locks.claim("c2", "svc", "restart", 0, b, NONE::contains));
    }

    @Test
    void aReleasedClaimFreesTheRunAtOnce() throws Exception {
        StepLocks locks = new StepLocks(root);
        StepLocks.Claimed claimed = (StepLocks.Claimed) locks.claim("c", "svc", "s", 0, UUID.randomUUID(), NONE::contains);
        locks.release(claimed);
        assertFalse(Files.exists(claimed.marker()));
        assertInstanceOf(StepLocks.Claimed.class, locks.claim("c", "svc", "s", 0, UUID.randomUUID(), NONE::contains));
    }

    @Test
    void anAbandonedClaimIsTakenOverByExactlyOneStarterAfterTheGraceTime() throws Exception {
        StepLocks locks = new StepLocks(root);
        UUID dead = UUID.randomUUID();
        StepLocks.Claimed claimed = (StepLocks.Claimed) locks.claim("c", "svc", "s", 0, dead, NONE::contains);

        // young: held, even though its event is not in the store yet
        assertInstanceOf(StepLocks.Held.class, locks.claim("c", "svc", "s", 0, UUID.randomUUID(), NONE::contains));
        Files.setLastModifiedTime(claimed.marker(),
                FileTime.from(Instant.now().minus(StepLocks.STALE_AFTER).minusSeconds(5)));
        // old but its event was recorded: held
        assertInstanceOf(StepLocks.Held.class,
                locks.claim("c", "svc", "s", 0, UUID.randomUUID(), Set.of(dead)::contains));

        // old and its event never appeared: the writer died in between; one taker gets the slot after it
        UUID taker = UUID.randomUUID();
        StepLocks.Claimed took = assertInstanceOf(StepLocks.Claimed.class,
                locks.claim("c", "svc", "s", 0, taker, NONE::contains));
        assertEquals(claimed.marker().resolveSibling(claimed.marker().getFileName() + "." + dead), took.marker());
        StepLocks.Held late = assertInstanceOf(StepLocks.Held.class,
                locks.claim("c", "svc", "s", 0, UUID.randomUUID(), NONE::contains));
        assertEquals(taker, late.eventId());
        assertTrue(Files.exists(claimed.marker()), "markers are never replaced");
    }

    @Test
    void manyThreadsRacingForOneRunYieldExactlyOneClaim() throws Exception {
        for (int run = 0; run < 20; run++) {
            int threads = 8;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<StepLocks.Outcome>> outcomes = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int r = run;
                    outcomes.add(pool.submit(() -> {
                        go.await();
                        return new StepLocks(root).claim("race", "svc", "s", r, UUID.randomUUID(), NONE::contains);
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<StepLocks.Outcome> f : outcomes) {
                    if (f.get() instanceof StepLocks.Claimed) {
                        won++;
                    }
                }
                assertEquals(1, won, "run " + run);
            } finally {
                pool.shutdownNow();
            }
        }
        try (Stream<Path> s = Files.list(root.resolve(StepLocks.DIRECTORY))) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(20, names.size(), "one marker per run and no temp file left: " + names);
        }
    }
}
