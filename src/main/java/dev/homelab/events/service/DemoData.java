package dev.homelab.events.service;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.EventDraft;
import dev.homelab.events.Timestamps;
import dev.homelab.events.config.StoreConfig;

/**
 * The specification's example flow (deployment deploy-882 of mosquitto fails at verify, diagnostics
 * remediates, the health check sees it recover), loaded on request so a newcomer sees a real chain.
 */
@ApplicationScoped
public class DemoData {

    public static final String CORRELATION_ID = "deploy-882";
    private static final Logger LOG = Logger.getLogger(DemoData.class);

    @Inject
    EventService service;
    @Inject
    ObjectMapper mapper;

    @Inject
    StoreConfig config;

    /** After the index is built (see IndexRefresher), load the flow when homelab.events.demo is set. */
    void onStart(
            @jakarta.enterprise.event.Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION
                    + 600) io.quarkus.runtime.StartupEvent ev) {
        if (config.events().demo()) {
            loadIfAbsent();
        }
    }

    /** Writes the four events unless the store already has the chain; returns how many were written. */
    public int loadIfAbsent() {
        if (!service.entries(service.toQuery(new dev.homelab.events.ListCriteria(null, null, null, null, null, null, null,
                CORRELATION_ID, null, 1, null), 1, 1, Instant.now())).entries().isEmpty()) {
            return 0;
        }
        Instant start = Timestamps.now().minusSeconds(600);
        List<EventDraft> flow = List.of(
                draft(start, "deployment_started", "info", "deploy.sh", "{\"version\":\"2.0.18\"}"),
                draft(start.plusSeconds(95), "deployment_failed", "error", "deploy.sh",
                        "{\"stage\":\"verify\",\"error\":\"port 1883 not bound\"}"),
                draft(start.plusSeconds(140), "remediation_started", "warning", "diagnostics.sh",
                        "{\"action\":\"restart_service\",\"step\":\"restart-mosquitto\"}"),
                draft(start.plusSeconds(230), "service_recovered", "info", "healthcheck.sh", "{\"port\":1883}"));
        flow.forEach(service::emit);
        LOG.infof("Loaded the demo chain %s (%d events)", CORRELATION_ID, flow.size());
        return flow.size();
    }

    private EventDraft draft(Instant at, String type, String severity, String source, String payload) {
        try {
            ObjectNode p = (ObjectNode) mapper.readTree(payload);
            return new EventDraft(Timestamps.toJson(at), null, type, severity, source, "mosquitto", CORRELATION_ID, p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
