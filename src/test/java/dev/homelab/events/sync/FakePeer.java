package dev.homelab.events.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A peer over real HTTP and a real store: serves /api/store and /api/sync/export with the production
 * {@link Exporter}. It can be "killed" (connections dropped without an answer) after a number of pages.
 */
public final class FakePeer implements AutoCloseable {

    final Fixtures.Node node;
    final Exporter exporter;
    private final HttpServer server;
    final AtomicInteger pagesServed = new AtomicInteger();
    volatile int dieAfterPages = Integer.MAX_VALUE;
    volatile boolean dead;
    /** The audit public key (PEM) served at /api/audit/public-key; null: 404, as a server without an audit trail. */
    volatile String auditPem;
    /** When not 0, every request is answered with this HTTP status (a peer that is up but refuses). */
    volatile int failWithStatus;

    public FakePeer(Path root, String nodeName) throws IOException {
        this.node = Fixtures.Node.at(root);
        this.exporter = new Exporter(node.store(), node.index(), new ArrivalLog(root.resolve(".sync/arrivals.log")).open(),
                nodeName);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/store", ex -> {
            if (!abortIfDead(ex)) {
                respond(ex, ("{\"node\":\"" + nodeName + "\"}").getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/api/audit/public-key", ex -> {
            if (abortIfDead(ex)) {
                return;
            }
            String pem = auditPem;
            if (pem == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            respond(ex, Fixtures.MAPPER.writeValueAsBytes(Map.of("node", nodeName, "pem", pem)));
        });
        server.createContext("/api/sync/export", ex -> {
            if (pagesServed.get() >= dieAfterPages) {
                dead = true;
            }
            if (abortIfDead(ex)) {
                return;
            }
            Map<String, String> q = query(ex.getRequestURI());
            ExportPage page = exporter.export(SyncCursor.decode(q.get("after")).orElseThrow(),
                    Integer.parseInt(q.getOrDefault("limit", "200")));
            pagesServed.incrementAndGet();
            respond(ex, Fixtures.MAPPER.writeValueAsBytes(page));
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void revive() {
        dead = false;
        dieAfterPages = Integer.MAX_VALUE;
    }

    private boolean abortIfDead(HttpExchange ex) throws IOException {
        if (dead) {
            ex.close(); // like a killed process: the connection ends without an answer
            return true;
        }
        if (failWithStatus != 0) {
            byte[] body = "{\"title\":\"refused\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(failWithStatus, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
            return true;
        }
        return false;
    }

    private static void respond(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                out.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
