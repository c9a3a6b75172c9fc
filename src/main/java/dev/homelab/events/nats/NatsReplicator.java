package dev.homelab.events.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamInfo;

import dev.homelab.events.sync.PeerKeyCheck;

/**
 * Replicates one node's store through a JetStream stream: publishes what arrives here ({@link Outbox}) and
 * imports what other nodes publish ({@link Inbox}) through a durable pull consumer named after the node.
 *
 * <p>
 * One long-lived connection: after the first successful connect, jnats reconnects by itself (forever, to any
 * configured or discovered server) and its simplified consumer API resumes the durable consumer. The only
 * periodic work is {@link #tick()} (the application runs it with quarkus-scheduler): the first connect while
 * NATS is unreachable, the stream and consumer setup, and the outbox pass.
 *
 * <p>
 * Thread-safety: {@link #tick()} is synchronized; {@link #status()} and {@link #close()} may be called from
 * any thread.
 */
public final class NatsReplicator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NatsReplicator.class);
    /** How often a set-up replicator asks the server about its stream and consumer (lag, a stream created anew). */
    static final Duration CHECK_EVERY = Duration.ofSeconds(15);
    static final Duration PULL_EXPIRES = Duration.ofSeconds(5);
    static final int JS_CONSUMER_NOT_FOUND = 10014;
    static final int JS_STREAM_NOT_FOUND = 10059;
    static final int JS_NOT_ENABLED_FOR_ACCOUNT = 10039;
    static final int JS_NOT_ENABLED = 10076;

    private final NatsSettings settings;
    private final LocalStore local;
    private final Outbox outbox;
    private final Inbox inbox;
    private final OriginKeys originKeys;
    /** This node's audit public key (PEM), published on its key subject; null when it has no audit trail. */
    private final Supplier<String> ownKey;

    private volatile Connection connection;
    private volatile MessageConsumer consumer;
    private volatile boolean setUp;
    private volatile boolean closed;
    private volatile boolean attempted;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile boolean needsOperator;
    /** The problem last logged at WARN: the same one again (every pass while NATS is away) goes to DEBUG. */
    private volatile String lastWarned;
    /** From a disconnect to the next reconnect: jnats reports DISCONNECTED again after every failed attempt. */
    private volatile boolean away;
    private Instant lastCheck = Instant.EPOCH;

    /**
     * @param stateDir this node's NATS state directory, {@code <root>/.nats} (hidden, never read as events)
     */
    public NatsReplicator(NatsSettings settings, LocalStore local, Path stateDir) throws IOException {
        this(settings, local, stateDir, () -> null, List.of(), Duration.ofMinutes(1));
    }

    /**
     * @param ownKey    this node's audit public key (PEM), or a supplier of null when it has no audit trail
     * @param keyChecks the key checks peer sync asks before importing (the audit trail's pins; a live list)
     * @param keyRecheck how long a verdict on another node's key holds
     */
    public NatsReplicator(NatsSettings settings, LocalStore local, Path stateDir, Supplier<String> ownKey,
            List<PeerKeyCheck> keyChecks, Duration keyRecheck) throws IOException {
        this.settings = settings;
        this.local = local;
        this.ownKey = ownKey;
        this.outbox = new Outbox(local, stateDir.resolve("outbox.properties"), settings.stream(), settings.batch(),
                settings.timeout());
        this.originKeys = new OriginKeys(keyChecks, keyRecheck);
        this.inbox = new Inbox(local, outbox, originKeys, why -> problem(why, false));
    }

    /**
     * One pass: connect when never connected yet, set up the stream and the consumer when needed, publish what
     * arrived. Never throws: problems land in {@link #status()} and the log, and the next pass tries again.
     */
    public synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            if (connection == null && !connect()) {
                outbox.measureBacklog();
                return;
            }
            Connection c = connection;
            if (c.getStatus() == Connection.Status.CLOSED) {
                // jnats gave up on this connection (it reconnects forever otherwise): start over with a new one
                stopConsumer();
                connection = null;
                setUp = false;
                outbox.measureBacklog();
                return;
            }
            if (c.getStatus() != Connection.Status.CONNECTED) {
                outbox.measureBacklog(); // jnats is reconnecting on its own; the outbox waits
                return;
            }
            if (!setUp) {
                setUp(c);
            } else if (Duration.between(lastCheck, Instant.now()).compareTo(CHECK_EVERY) >= 0) {
                check(c);
            }
            if (setUp) {
                outbox.publishPending(c.jetStream(jsOptions()), settings.stream());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            problem(e.getMessage() == null ? e.toString() : e.getMessage(), false);
        }
    }

    /** The first connection; false when no server could be reached (the next pass tries again). */
    private boolean connect() throws InterruptedException {
        attempted = true;
        try {
            connection = Nats.connect(options());
            lastWarned = null;
            away = false;
            LOG.infof("NATS: connected to %s as node %s", NatsSettings.withoutCredentials(connection.getConnectedUrl()),
                    local.node());
            return true;
        } catch (AuthenticationException e) {
            problem("NATS refused the credentials (" + e.getMessage() + "): check HOMELAB_NATS_TOKEN, HOMELAB_NATS_USER/"
                    + "HOMELAB_NATS_PASSWORD or HOMELAB_NATS_CREDS", true);
        } catch (IOException e) {
            problem("cannot reach NATS at " + String.join(",", settings.displayServers()) + ": " + e.getMessage()
                    + "; events are kept in the outbox and published once it is reachable", false);
        }
        return false;
    }

    private Options options() {
        Options.Builder b = Options.builder().servers(settings.servers().toArray(String[]::new))
                .connectionName("homelab-events " + local.node()).maxReconnects(-1).reconnectWait(Duration.ofSeconds(1))
                .connectionTimeout(settings.timeout()).connectionListener(new Listener()).errorListener(new Errors());
        NatsSettings.Credentials cr = settings.credentials();
        cr.token().ifPresent(t -> b.token(t.toCharArray()));
        cr.user().ifPresent(u -> b.userInfo(u.toCharArray(), cr.password().orElse("").toCharArray()));
        cr.credsFile().ifPresent(f -> b.authHandler(Nats.credentials(f)));
        return b.build();
    }

    private JetStreamOptions jsOptions() {
        return JetStreamOptions.builder().requestTimeout(settings.timeout()).build();
    }

    /** Creates or checks the stream, adopts it in the outbox, and starts the durable consumer. */
    private void setUp(Connection c) throws IOException, JetStreamApiException {
        if (!c.getServerInfo().isJetStreamAvailable()) {
            problem(StreamSetup.NO_JETSTREAM + " (server " + NatsSettings.withoutCredentials(c.getConnectedUrl())
                    + " runs without JetStream)", true);
            outbox.measureBacklog();
            return;
        }
        JetStreamManagement jsm;
        StreamInfo info;
        try {
            jsm = c.jetStreamManagement(jsOptions());
            jsm.getAccountStatistics(); // fails clearly when this account has no JetStream
            info = StreamSetup.ensure(jsm, settings);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == JS_NOT_ENABLED_FOR_ACCOUNT || e.getApiErrorCode() == JS_NOT_ENABLED) {
                problem(StreamSetup.NO_JETSTREAM + " (server said: " + e.getErrorDescription() + ")", true);
                outbox.measureBacklog();
                return;
            }
            throw e;
        } catch (StreamSetup.Unusable e) {
            problem(e.getMessage(), true);
            outbox.measureBacklog();
            return;
        }
        outbox.useStream(settings.stream(), String.valueOf(info.getCreateTime()));
        setUpAudit(c, jsm, info);
        if (settings.consume()) {
            startConsumer(c);
        }
        setUp = true;
        needsOperator = false;
        lastCheck = Instant.now();
        LOG.infof("NATS: stream %s ready (%d events, %d replica(s))%s", settings.stream(), info.getStreamState().getMsgCount(),
                info.getConfiguration().getReplicas(),
                settings.consume()
                        ? "; consumer " + settings.consumer() + " follows " + Subjects.filters(settings.follow())
                        : "; publishing only");
    }

    /** Publishes this node's audit key (the latest per node is kept) and points the key lookups at its stream. */
    private void setUpAudit(Connection c, JetStreamManagement jsm, StreamInfo events)
            throws IOException, JetStreamApiException {
        String auditStream = StreamSetup.ensureAudit(jsm, settings, events);
        String pem = ownKey.get();
        if (pem != null) {
            c.jetStream(jsOptions()).publish(Subjects.keySubject(local.node()),
                    pem.getBytes(StandardCharsets.US_ASCII),
                    io.nats.client.PublishOptions.builder().expectedStream(auditStream).build());
        }
        originKeys.lookUpIn(jsm, auditStream);
    }

    private void startConsumer(Connection c) throws IOException, JetStreamApiException {
        stopConsumer();
        StreamContext sc = c.getStreamContext(settings.stream(), jsOptions());
        ConsumerConfiguration.Builder cfg = ConsumerConfiguration.builder().durable(settings.consumer())
                .ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All).ackWait(Duration.ofSeconds(60))
                .maxAckPending(1000);
        List<String> filters = Subjects.filters(settings.follow());
        if (filters.size() == 1) {
            cfg.filterSubject(filters.get(0));
        } else {
            cfg.filterSubjects(filters);
        }
        ConsumerContext cc = sc.createOrUpdateConsumer(cfg.build());
        // Each pull expires after PULL_EXPIRES; jnats sends idle heartbeats at half of that and, after a reconnect,
        // notices the lost pull after three missed heartbeats and pulls again: the consumer resumes within ~8 s
        // of NATS coming back (jnats's default of 30 s would mean ~45 s). An idle node costs one pull per 5 s.
        consumer = cc.consume(ConsumeOptions.builder().batchSize(256).expiresIn(PULL_EXPIRES.toMillis()).build(), inbox);
    }

    /** Periodic look at the server side: consumer lag, and whether stream and consumer still exist as set up. */
    private void check(Connection c) throws IOException, JetStreamApiException {
        lastCheck = Instant.now();
        try {
            StreamInfo info = c.jetStreamManagement(jsOptions()).getStreamInfo(settings.stream());
            if (!String.valueOf(info.getCreateTime()).equals(outbox.cursor().streamCreated())) {
                LOG.warnf("NATS: stream %s was created anew; setting up again", settings.stream());
                setUp = false;
                return;
            }
            MessageConsumer mc = consumer;
            if (mc != null && (mc.isStopped() || mc.isFinished())) {
                LOG.warnf("NATS: consumer %s stopped; setting up again", settings.consumer());
                setUp = false;
            } else if (mc != null) {
                inbox.setLag(mc.getConsumerInfo().getNumPending());
            }
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == JS_STREAM_NOT_FOUND || e.getApiErrorCode() == JS_CONSUMER_NOT_FOUND) {
                LOG.warnf("NATS: %s; setting up again", e.getErrorDescription());
                setUp = false;
                return;
            }
            throw e;
        }
    }

    private void stopConsumer() {
        MessageConsumer mc = consumer;
        consumer = null;
        if (mc != null) {
            try {
                mc.close();
            } catch (Exception e) {
                LOG.debug("stopping the NATS consumer", e);
            }
        }
    }

    private void problem(String text, boolean operator) {
        String what = NatsSettings.withoutCredentials(text); // a client message may list the URLs as configured
        if (!what.equals(lastError) || lastErrorAt == null) {
            lastErrorAt = Instant.now(); // the same problem again (every pass while NATS is away) keeps its first time
        }
        lastError = what;
        needsOperator = operator;
        if (what.equals(lastWarned)) {
            LOG.debug("NATS (again): " + what);
        } else {
            lastWarned = what;
            LOG.warn("NATS: " + what);
        }
    }

    public NatsStatus status() {
        Connection c = connection;
        String state = c == null
                ? (attempted ? "unreachable" : "connecting")
                : c.getStatus().name().toLowerCase(Locale.ROOT);
        String url = c != null && c.getStatus() == Connection.Status.CONNECTED
                ? NatsSettings.withoutCredentials(c.getConnectedUrl())
                : null;
        return new NatsStatus(true, local.node(), settings.displayServers(), settings.credentials().kind(), state, url,
                setUp && c != null && c.getStatus() == Connection.Status.CONNECTED, settings.stream(),
                settings.consume() ? settings.consumer() : null, outbox.backlog(), settings.consume() ? inbox.lag() : 0,
                outbox.published(), inbox.count(LocalStore.Outcome.WRITTEN), inbox.count(LocalStore.Outcome.IDENTICAL),
                inbox.count(LocalStore.Outcome.CONFLICT), inbox.count(LocalStore.Outcome.REJECTED), inbox.refused(),
                outbox.lastPublish(),
                inbox.lastImport(), lastError, lastErrorAt, needsOperator);
    }

    /** Stops the consumer and closes the connection; pending acknowledgements are sent first when possible. */
    @Override
    public void close() {
        closed = true;
        stopConsumer();
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Listener implements ConnectionListener {
        /** Still abstract in jnats 2.25, though deprecated in favour of the overload below, which jnats calls. */
        @Override
        @SuppressWarnings("deprecation")
        public void connectionEvent(Connection conn, Events type) {
            connectionEvent(conn, type, null, null);
        }

        @Override
        public void connectionEvent(Connection conn, Events type, Long time, String uriDetails) {
            switch (type) {
                case DISCONNECTED -> {
                    if (away) {
                        LOG.debug("NATS: still disconnected");
                    } else {
                        away = true;
                        problem("disconnected from NATS" + (uriDetails == null ? "" : " (" + uriDetails + ")")
                                + "; jnats reconnects, the outbox keeps what arrives", false);
                    }
                }
                case RECONNECTED -> {
                    away = false;
                    lastWarned = null;
                    LOG.infof("NATS: reconnected to %s", NatsSettings.withoutCredentials(conn.getConnectedUrl()));
                }
                case CLOSED -> LOG.debug("NATS: connection closed");
                default -> LOG.debugf("NATS: %s", type);
            }
        }
    }

    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            boolean auth = error.toLowerCase(Locale.ROOT).contains("authorization");
            problem("NATS server reported: " + error + (auth ? " (check the credentials and the account's permissions)" : ""),
                    auth);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            String what = NatsSettings.withoutCredentials("NATS client: " + exp);
            if (!what.equals(lastError)) {
                lastErrorAt = Instant.now();
            }
            lastError = what;
            LOG.debug("NATS client exception", exp);
        }
    }
}
