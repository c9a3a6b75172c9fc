package dev.homelab.events.nats;

import java.io.IOException;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;

/** Asks the NATS server about the stream from outside the nodes: how many messages it holds. */
final class StreamProbe {

    private StreamProbe() {
    }

    static int replicas(String servers, String stream) throws IOException, InterruptedException, JetStreamApiException {
        Connection c = Nats.connect(Options.builder().servers(servers.split(",")).build());
        try {
            return c.jetStreamManagement().getStreamInfo(stream).getConfiguration().getReplicas();
        } finally {
            c.close();
        }
    }

    static long messages(String servers, String stream) throws IOException, InterruptedException, JetStreamApiException {
        Connection c = Nats.connect(Options.builder().servers(servers.split(",")).build());
        try {
            return c.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
        } finally {
            c.close();
        }
    }
}
