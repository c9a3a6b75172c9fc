package dev.homelab.events.service;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.ListCriteria;
import dev.homelab.events.Severity;
import dev.homelab.events.sync.LocalNode;

/**
 * What sync needs from this node, over {@link EventService}: its node name, and node_offline / node_online
 * written through the service, so they are validated, stored and indexed like any event.
 */
@ApplicationScoped
public class SyncLocalNode implements LocalNode {

    @Inject
    EventService events;
    @Inject
    ObjectMapper mapper;

    @Override
    public String nodeName() {
        return events.nodeName();
    }

    @Override
    public boolean alreadyRecorded(String correlationId, String type) {
        return events.list(new ListCriteria(null, null, null, List.of(type), null, null, null, correlationId, null, 1, null),
                1, 1).total() > 0;
    }

    @Override
    public void record(String type, String node, String correlationId, Map<String, Object> payload) {
        String severity = type.equals(EventTypes.NODE_OFFLINE) ? Severity.WARNING.wireName() : Severity.INFO.wireName();
        events.emit(new EventDraft(null, node, type, severity, "sync", "all", correlationId, mapper.valueToTree(payload)));
    }
}
