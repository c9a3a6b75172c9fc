package dev.homelab.events;

import java.util.List;

/** The ten normalized event types of the specification. A homelab may add its own by configuration. */
public final class EventTypes {
    public static final String DEPLOYMENT_STARTED = "deployment_started";
    public static final String DEPLOYMENT_COMPLETED = "deployment_completed";
    public static final String DEPLOYMENT_FAILED = "deployment_failed";
    public static final String SERVICE_UNHEALTHY = "service_unhealthy";
    public static final String SERVICE_RECOVERED = "service_recovered";
    public static final String NODE_OFFLINE = "node_offline";
    public static final String NODE_ONLINE = "node_online";
    public static final String HEALTHCHECK_FAILED = "healthcheck_failed";
    public static final String REMEDIATION_STARTED = "remediation_started";
    public static final String REMEDIATION_COMPLETED = "remediation_completed";

    public static final List<String> NORMALIZED = List.of(
            DEPLOYMENT_STARTED,
            DEPLOYMENT_COMPLETED,
            DEPLOYMENT_FAILED,
            SERVICE_UNHEALTHY,
            SERVICE_RECOVERED,
            NODE_OFFLINE,
            NODE_ONLINE,
            HEALTHCHECK_FAILED,
            REMEDIATION_STARTED,
            REMEDIATION_COMPLETED);

    /**
     * Custom types this server always accepts, without HOMELAB_EVENTS_CUSTOM_TYPES, because a feature of the
     * server itself writes them: {@code operator_query} audits each natural-language question (POST /api/ask);
     * {@code operator_note} is an operator's note or acknowledgement on a chain (the console), which changes no
     * chain's outcome.
     */
    public static final String OPERATOR_QUERY = "operator_query";
    public static final String OPERATOR_NOTE = "operator_note";
    public static final List<String> BUILT_IN_CUSTOM = List.of(OPERATOR_QUERY, OPERATOR_NOTE);

    private EventTypes() {
    }
}
