package dev.homelab.events.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.nats.client.JetStream;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;

import dev.homelab.events.sync.ArrivalLog;
import dev.homelab.events.sync.Exporter;
import dev.homelab.events.sync.Fixtures;
import dev.homelab.events.sync.Importer;

/**
 * The outbox's backlog and its pass over events imported from the stream, without a NATS server: a real store,
 * arrival log and exporter (as {@link NatsNode} wires them), and a JetStream stand-in that acknowledges or
 * fails each publish. Imports are made as the inbox makes them: mark, then write through the one import path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutboxTest {

    private static final String STREAM = "HOMELAB_EVENTS";

    @TempDir
    Path tmp;

    private Fixtures.Node store;
    private Fixtures.Node other;
    private ArrivalLog log;
    private Exporter exporter;
    private LocalStore local;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void wire() throws IOException {
        store = Fixtures.Node.at(tmp.resolve("a"));
        other = Fixtures.Node.at(tmp.resolve("b"));
        log = new ArrivalLog(tmp.resolve("a").resolve(".sync").resolve("arrivals.log")).open();
        exporter = new Exporter(store.store(), store.index(), log, "node-a");
        local = new LocalStore("node-a", (cursor, limit, unread) -> {
            var page = exporter.export(cursor, limit, unread);
            served.addAndGet((int) page.items().stream().filter(i -> i.content() != null).count()); // files read
            return page;
        }, new Importer(store.writer(), Importer.ArchiveLookup.NONE));
    }

    @AfterEach
    void close() throws IOException {
        log.close();
    }

    private Outbox outbox(int batch) throws IOException {
        return new Outbox(local, tmp.resolve("a").resolve(".nats").resolve("outbox.properties"), STREAM, batch,
                Duration.ofSeconds(5));
    }

    /** An event of this node, numbered in the arrival log before the next one arrives. */
    private void own(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            store.emit(Instant.now(), "node-a", null);
            exporter.refresh(); // numbers it now, as a pass would
        }
    }

    /** An event of node b received from the stream, imported as the inbox does it. */
    private String fromStream(Outbox outbox) throws IOException {
        String path = other.emit(Instant.now(), "node-b", null).toString();
        byte[] bytes = Files.readAllBytes(tmp.resolve("b").resolve(path));
        outbox.mark(path);
        assertEquals(LocalStore.Outcome.WRITTEN, local.importFile(path, bytes).outcome());
        exporter.refresh();
        return path;
    }

    /** The inbox unmarks after an import that wrote nothing only when its own call set the mark. */
    @Test
    void aRedeliveryFindsTheMarkOfTheFirstImportAndLeavesIt() throws IOException {
        Outbox outbox = outbox(50);
        own(1);
        String path = fromStream(outbox);
        assertFalse(outbox.mark(path), "the first import's mark is there: the redelivery (IDENTICAL) must not remove it");
        outbox.measureBacklog();
        assertEquals(1, outbox.backlog(), "the import still is not counted as waiting");
    }

    @Test
    void theBacklogLeavesOutEventsImportedFromTheStreamThatWaitBehindOwnOnes() throws IOException {
        Outbox outbox = outbox(50);
        own(3);
        fromStream(outbox);
        fromStream(outbox);
        own(2);

        outbox.measureBacklog(); // NATS went away before a pass could go past the two imports
        assertEquals(5, outbox.backlog(), "the five events of this node wait; the two imports are never published");

        own(1);
        fromStream(outbox);
        outbox.measureBacklog();
        assertEquals(6, outbox.backlog());
    }

    @Test
    void aLongOutageIsCountedOnceNotReadAgainAtEveryPass() throws IOException {
        Outbox outbox = outbox(1); // one arrival a page: COUNT_PAGES arrivals a pass
        int total = Outbox.COUNT_PAGES * 2 + 5;
        own(total - 5);
        for (int i = 0; i < 5; i++) {
            fromStream(outbox);
        }
        served.set(0);

        outbox.measureBacklog();
        assertEquals(total - 5 + 5, outbox.backlog(), "arrivals not read yet count as waiting");
        outbox.measureBacklog();
        outbox.measureBacklog();
        assertEquals(total - 5, outbox.backlog(), "once every arrival is read, exactly what waits");
        own(2);
        outbox.measureBacklog();
        assertEquals(total - 5 + 2, outbox.backlog());
        assertEquals(total - 5 + 2, served.get(),
                "each own arrival read once over all the passes; the five from the stream are listed, never read");
    }

    @Test
    void aFailedPublishCountsOnlyWhatDidNotGoOutAndKeepsTheImportsMarked() throws Exception {
        Outbox outbox = outbox(50);
        own(1);
        fromStream(outbox);
        own(1);
        fromStream(outbox);
        own(1);

        List<String> sent = new ArrayList<>();
        JetStream oneThenDown = jetStream(sent, 1);
        assertThrows(IOException.class, () -> outbox.publishPending(oneThenDown, STREAM));
        assertEquals(2, outbox.backlog(), "the first event went out; the second and third wait, the imports never do");

        sent.clear();
        assertEquals(2, outbox.publishPending(jetStream(sent, Integer.MAX_VALUE), STREAM));
        assertEquals(2, sent.size(), "only this node's two events, not the import behind the failed one: " + sent);
        assertEquals(0, outbox.backlog());
    }

    /** A JetStream whose first {@code acks} publishes are acknowledged and the rest fail (NATS went away). */
    private static JetStream jetStream(List<String> sent, int acks) {
        AtomicInteger calls = new AtomicInteger();
        return (JetStream) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[]{ JetStream.class },
                (proxy, method, args) -> {
                    if (!method.getName().equals("publishAsync")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    int n = calls.incrementAndGet();
                    if (n > acks) {
                        return CompletableFuture.failedFuture(new IOException("NATS is away"));
                    }
                    sent.add((String) args[0]);
                    return CompletableFuture.completedFuture(new PublishAck(NatsMessage.builder().subject("_INBOX.ack")
                            .data(("{\"stream\":\"" + STREAM + "\",\"seq\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                            .build()));
                });
    }
}
