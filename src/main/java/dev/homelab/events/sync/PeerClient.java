package dev.homelab.events.sync;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.Names;

/**
 * The HTTP calls to one peer: its node name ({@code GET /api/store}) and export pages
 * ({@code GET /api/sync/export}), with the peer's bearer token. Says whose fault a failure is:
 * {@link PeerUnreachable} when the peer did not answer at all, {@link PeerError} when it answered with
 * something a sync cannot use. Stateless apart from its settings; thread-safe.
 */
final class PeerClient {

    private final String name;
    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Duration timeout;
    private final int pageSize;

    PeerClient(String name, URI base, Optional<String> token, HttpClient http, ObjectMapper mapper, Duration timeout,
            int pageSize) {
        this.name = name;
        this.base = base;
        this.token = token.filter(t -> !t.isBlank());
        this.http = http;
        this.mapper = mapper;
        this.timeout = timeout;
        this.pageSize = pageSize;
    }

    /** The node name the peer reports, when it is a valid one. */
    Optional<String> nodeName() {
        JsonNode info = getJson(endpoint("/api/store"));
        return Optional.ofNullable(info.path("node").asText(null)).filter(Names::isValidNode);
    }

    /** The peer's audit public key (PEM) as it publishes it; empty when it answers 404 (no audit trail there). */
    Optional<String> auditPublicKey() {
        JsonNode json = getJson(endpoint("/api/audit/public-key"), true);
        return json == null ? Optional.empty() : Optional.ofNullable(json.path("pem").asText(null));
    }

    /** The peer's next export page after {@code cursor} (empty or null: from the start). */
    ExportPage page(String cursor) {
        String query = "?limit=" + pageSize
                + (cursor == null || cursor.isEmpty() ? "" : "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        JsonNode json = getJson(endpoint("/api/sync/export" + query));
        try {
            return mapper.treeToValue(json, ExportPage.class);
        } catch (IOException e) {
            throw new PeerError("peer sent an export page this node cannot read: " + e.getMessage());
        }
    }

    private URI endpoint(String pathAndQuery) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + pathAndQuery);
    }

    private JsonNode getJson(URI uri) {
        return getJson(uri, false);
    }

    /** The JSON answer of a GET; null for a 404 when {@code absentIsNull}, else any answer but 200 is a PeerError. */
    private JsonNode getJson(URI uri, boolean absentIsNull) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
        token.ifPresent(t -> rb.header("Authorization", "Bearer " + t));
        HttpResponse<byte[]> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PeerUnreachable("peer " + name + " at " + base + " is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnreachable("interrupted while calling peer " + name);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new PeerError("peer " + name + " refused the request (HTTP " + response.statusCode()
                    + "): set homelab.sync.peers." + name + ".token to the peer's HOMELAB_EVENTS_TOKEN");
        }
        if (absentIsNull && response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new PeerError("peer " + name + " answered HTTP " + response.statusCode() + " for " + uri.getPath() + ": "
                    + (body.length() > 300 ? body.substring(0, 300) : body));
        }
        try {
            return mapper.readTree(response.body());
        } catch (IOException e) {
            throw new PeerError("peer " + name + " sent invalid JSON for " + uri.getPath());
        }
    }

    /** The peer did not answer at all. */
    static final class PeerUnreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PeerUnreachable(String message) {
            super(message);
        }
    }

    /** The peer answered, but not with what a sync needs. */
    static final class PeerError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PeerError(String message) {
            super(message);
        }
    }
}
