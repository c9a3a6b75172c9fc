package dev.homelab.events.nats;

import java.io.IOException;
import java.util.List;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

/**
 * Uses the configured stream, or creates it: file storage, limits retention (every consumer reads every
 * event; nothing is removed when read), the oldest events dropped first at the age or size limit, a
 * de-duplication window for republished event ids.
 */
final class StreamSetup {

    static final String NO_JETSTREAM = "JetStream is not available to this NATS account: start nats-server with "
            + "JetStream (nats-server -js -sd <dir>, or a jetstream {} block in its configuration) and, with accounts, "
            + "enable JetStream for the account this node logs in with";
    private static final int STREAM_NAME_IN_USE = 10058;

    /** The stream exists but cannot serve: an operator must change it or choose another (HOMELAB_NATS_STREAM). */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    private StreamSetup() {
    }

    static StreamInfo ensure(JetStreamManagement jsm, NatsSettings s) throws IOException, JetStreamApiException, Unusable {
        try {
            return check(jsm.getStreamInfo(s.stream()), s);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsReplicator.JS_STREAM_NOT_FOUND) {
                throw e;
            }
        }
        StreamConfiguration cfg = StreamConfiguration.builder().name(s.stream()).subjects(Subjects.ALL)
                .storageType(StorageType.File).retentionPolicy(RetentionPolicy.Limits).discardPolicy(DiscardPolicy.Old)
                .replicas(s.replicas()).maxAge(s.maxAge()).maxBytes(s.maxBytes()).duplicateWindow(s.duplicateWindow())
                .build();
        try {
            return jsm.addStream(cfg);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NAME_IN_USE) {
                return check(jsm.getStreamInfo(s.stream()), s); // another node created it a moment ago
            }
            throw new Unusable("cannot create stream " + s.stream() + " with " + s.replicas() + " replica(s): "
                    + e.getErrorDescription() + (s.replicas() > 1
                            ? " (a stream with R replicas needs a cluster of at least "
                                    + "R JetStream servers; HOMELAB_NATS_REPLICAS=1 on a single server)"
                            : ""));
        }
    }

    /**
     * The stream that holds the audit subjects: the events' stream itself when it takes them too (subjects
     * {@code >} or {@code homelab.>}), else {@code <stream>_AUDIT}, created when missing, keeping the latest message
     * per subject (a node's current key).
     */
    static String ensureAudit(JetStreamManagement jsm, NatsSettings s, StreamInfo events)
            throws IOException, JetStreamApiException {
        List<String> subjects = events.getConfiguration().getSubjects();
        if (subjects.contains(">") || subjects.contains("homelab.>")) {
            return s.stream();
        }
        String name = s.stream() + "_AUDIT";
        try {
            jsm.getStreamInfo(name);
            return name;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsReplicator.JS_STREAM_NOT_FOUND) {
                throw e;
            }
        }
        try {
            jsm.addStream(StreamConfiguration.builder().name(name).subjects(Subjects.AUDIT_ALL).storageType(StorageType.File)
                    .retentionPolicy(RetentionPolicy.Limits).maxMessagesPerSubject(1).replicas(s.replicas()).build());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                throw e;
            }
        }
        return name;
    }

    private static StreamInfo check(StreamInfo info, NatsSettings s) throws Unusable {
        List<String> subjects = info.getConfiguration().getSubjects();
        if (!subjects.contains(Subjects.ALL) && !subjects.contains(">") && !subjects.contains("homelab.>")) {
            throw new Unusable("stream " + s.stream() + " exists but does not take " + Subjects.ALL + " (its subjects: "
                    + subjects + "): add that subject to it, or set HOMELAB_NATS_STREAM to another stream");
        }
        if (info.getConfiguration().getRetentionPolicy() == RetentionPolicy.WorkQueue) {
            throw new Unusable("stream " + s.stream() + " is a work queue: each event would reach one node only; "
                    + "use a stream with limits retention");
        }
        return info;
    }
}
