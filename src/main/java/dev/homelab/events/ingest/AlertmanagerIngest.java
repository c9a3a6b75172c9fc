package dev.homelab.events.ingest;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.EventDraft;
import dev.homelab.events.config.IngestConfig;

/** Records an Alertmanager notification: every alert once, repeats answered with the stored event. */
@ApplicationScoped
public class AlertmanagerIngest {

    private final AlertmanagerMapping mapping;

    @Inject
    IdempotentRecorder recorder;

    @Inject
    public AlertmanagerIngest(IngestConfig config, ObjectMapper mapper) {
        IngestConfig.Alertmanager am = config.alertmanager();
        this.mapping = new AlertmanagerMapping(am.typeLabel(), am.unhealthyValues(), am.serviceLabels(), mapper);
    }

    /** Maps every alert first, so a notification with one bad alert records nothing and names what is wrong. */
    public List<Ingested> record(JsonNode notification) {
        List<EventDraft> drafts = mapping.drafts(notification);
        List<Ingested> out = new ArrayList<>(drafts.size());
        for (EventDraft d : drafts) {
            out.add(recorder.record(d));
        }
        return out;
    }
}
