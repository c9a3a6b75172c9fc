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

    private EventTypes() {
    }
}
