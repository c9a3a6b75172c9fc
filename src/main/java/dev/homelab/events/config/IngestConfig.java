package dev.homelab.events.config;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Events from tools a homelab already runs ({@code homelab.ingest.*}, or HOMELAB_INGEST_*). See docs/ingest.md. */
@ConfigMapping(prefix = "homelab.ingest")
public interface IngestConfig {

    /** The Alertmanager webhook receiver, POST /api/ingest/alertmanager. */
    Alertmanager alertmanager();

    interface Alertmanager {

        /**
         * Label whose value decides the type of a firing alert (HOMELAB_INGEST_ALERTMANAGER_TYPE_LABEL): a value in
         * {@link #unhealthyValues()} gives service_unhealthy, any other value or no label healthcheck_failed.
         */
        @WithName("type-label")
        @WithDefault("severity")
        String typeLabel();

        /** Values of the type label, compared case-insensitively, that mean service_unhealthy (HOMELAB_INGEST_ALERTMANAGER_UNHEALTHY_VALUES). */
        @WithName("unhealthy-values")
        @WithDefault("critical,error")
        List<String> unhealthyValues();

        /** Labels tried in order for the event's service; the first present wins, then alertname (HOMELAB_INGEST_ALERTMANAGER_SERVICE_LABELS). */
        @WithName("service-labels")
        @WithDefault("job,service")
        List<String> serviceLabels();
    }
}
