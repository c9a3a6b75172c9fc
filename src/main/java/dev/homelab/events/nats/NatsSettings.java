package dev.homelab.events.nats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.homelab.events.Names;
import dev.homelab.events.config.NatsConfig;

/**
 * Everything the replicator needs to know, checked once: from {@link NatsConfig} in the application, built
 * directly by tests and the benchmark.
 *
 * @param servers         NATS server URLs
 * @param credentials     how to authenticate
 * @param stream          the JetStream stream
 * @param replicas        replicas of a stream created here
 * @param maxAge          age limit of a stream created here
 * @param maxBytes        size limit of a stream created here, -1 for none
 * @param duplicateWindow de-duplication window of a stream created here
 * @param follow          nodes whose events are imported; empty for all
 * @param consume         import other nodes' events at all
 * @param consumer        durable consumer name
 * @param batch           events per outbox page
 * @param timeout         connect and request timeout
 */
public record NatsSettings(List<String> servers, Credentials credentials, String stream, int replicas, Duration maxAge,
        long maxBytes, Duration duplicateWindow, List<String> follow, boolean consume, String consumer, int batch,
        Duration timeout) {

    /** Token, user/password, or a credentials file (JWT + NKey); at most one kind. */
    public record Credentials(Optional<String> token, Optional<String> user, Optional<String> password,
            Optional<String> credsFile) {
        public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        /** How the status names the authentication without revealing it. */
        public String kind() {
            return credsFile.isPresent()
                    ? "creds-file"
                    : user.isPresent() ? "user-password" : token.isPresent() ? "token" : "none";
        }
    }

    /** Settings for a node, with this project's defaults; {@code servers} comma-separated. */
    public static NatsSettings defaults(String servers, String node) {
        return new NatsSettings(parseServers(servers), Credentials.NONE, "HOMELAB_EVENTS", 1, Duration.ofDays(30), -1,
                Duration.ofMinutes(10), List.of(), true, Subjects.consumerName(node), 200, Duration.ofSeconds(5));
    }

    /** Reads and checks the configuration; throws IllegalStateException naming the key and what is allowed. */
    public static NatsSettings from(NatsConfig c, String node) {
        List<String> servers = parseServers(c.url().orElse(""));
        boolean userSet = c.user().filter(s -> !s.isBlank()).isPresent();
        boolean passwordSet = c.password().filter(s -> !s.isBlank()).isPresent();
        if (userSet != passwordSet) {
            throw new IllegalStateException("homelab.nats.user and homelab.nats.password (HOMELAB_NATS_USER, "
                    + "HOMELAB_NATS_PASSWORD) go together: set both or neither");
        }
        Credentials creds = new Credentials(c.token().filter(s -> !s.isBlank()), c.user().filter(s -> !s.isBlank()),
                c.password().filter(s -> !s.isBlank()), c.creds().filter(s -> !s.isBlank()));
        int kinds = (creds.token().isPresent() ? 1 : 0) + (userSet ? 1 : 0) + (creds.credsFile().isPresent() ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalStateException("homelab.nats: set one kind of credentials (token, user/password or creds), "
                    + "not " + kinds);
        }
        if (!c.stream().matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalStateException("homelab.nats.stream (HOMELAB_NATS_STREAM) must be 1-64 letters, digits, "
                    + "'-' or '_', got: " + c.stream());
        }
        if (c.replicas() < 1 || c.replicas() > 5) {
            throw new IllegalStateException("homelab.nats.replicas (HOMELAB_NATS_REPLICAS) must be 1-5, got: " + c.replicas());
        }
        if (c.batch() < 1 || c.batch() > 1000) {
            throw new IllegalStateException("homelab.nats.batch (HOMELAB_NATS_BATCH) must be 1-1000, got: " + c.batch());
        }
        List<String> follow = new ArrayList<>();
        for (String n : c.follow().orElse(List.of())) {
            if (n.isBlank()) {
                continue;
            }
            if (!Names.isValidNode(n.trim())) {
                throw new IllegalStateException("homelab.nats.follow (HOMELAB_NATS_FOLLOW): '" + n + "' is not a node name");
            }
            follow.add(n.trim());
        }
        String consumer = c.consumer().filter(s -> !s.isBlank()).orElse(Subjects.consumerName(node));
        if (!consumer.matches("[A-Za-z0-9_-]{1,128}")) {
            throw new IllegalStateException("homelab.nats.consumer (HOMELAB_NATS_CONSUMER) must be letters, digits, "
                    + "'-' or '_', got: " + consumer);
        }
        return new NatsSettings(servers, creds, c.stream(), c.replicas(), c.maxAge(), c.maxBytes(), c.duplicateWindow(),
                List.copyOf(follow), c.consume(), consumer, c.batch(), c.timeout());
    }

    /** The servers as status and logs show them: any {@code user:password@} or {@code token@} in a URL left out. */
    public List<String> displayServers() {
        return servers.stream().map(NatsSettings::withoutCredentials).toList();
    }

    private static final Pattern USERINFO = Pattern.compile("://[^/@\\s,\\]\\[]*@");

    /**
     * Any {@code scheme://user:secret@} or {@code scheme://token@} in {@code text} (a URL, or a client's error
     * message that lists URLs) becomes {@code scheme://}; null stays null.
     */
    static String withoutCredentials(String text) {
        return text == null ? null : USERINFO.matcher(text).replaceAll("://");
    }

    /** {@code nats://a:4222, b:4222} becomes two URLs; a missing scheme means nats://. */
    static List<String> parseServers(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            String t = s.trim();
            if (!t.isEmpty()) {
                out.add(t.contains("://") ? t : "nats://" + t);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("homelab.nats.url (HOMELAB_NATS_URL) names no server; "
                    + "give one or more, comma-separated, e.g. nats://nats.lan:4222");
        }
        return List.copyOf(out);
    }

    public NatsSettings withStream(String name, int replicaCount) {
        return new NatsSettings(servers, credentials, name, replicaCount, maxAge, maxBytes, duplicateWindow, follow, consume,
                consumer, batch, timeout);
    }

    public NatsSettings withCredentials(Credentials c) {
        return new NatsSettings(servers, c, stream, replicas, maxAge, maxBytes, duplicateWindow, follow, consume, consumer,
                batch, timeout);
    }

    public NatsSettings withBatch(int n) {
        return new NatsSettings(servers, credentials, stream, replicas, maxAge, maxBytes, duplicateWindow, follow, consume,
                consumer, n, timeout);
    }
}
