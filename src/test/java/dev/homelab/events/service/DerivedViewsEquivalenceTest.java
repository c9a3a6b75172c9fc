package dev.homelab.events.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.homelab.events.Event;
import dev.homelab.events.EventDraft;
import dev.homelab.events.EventTypes;
import dev.homelab.events.Severity;
import dev.homelab.events.Timestamps;
import dev.homelab.events.agent.EventTools;
import dev.homelab.events.agent.ToolArgs;
import dev.homelab.events.index.EventQuery;
import dev.homelab.events.service.Incidents.Incident;
import dev.homelab.events.service.Incidents.IncidentList;
import dev.homelab.events.service.StatusViews.Deployment;
import dev.homelab.events.service.StatusViews.NodeStatus;
import dev.homelab.events.service.StatusViews.ServiceStatus;

/**
 * The index-driven views of the service side (service and node status, open incidents, service names) give the
 * same answers as a brute-force fold over every event read from its file, the way these views were first
 * written, on a seeded random store of interleaved chains (own store: a profile of its own); the tools that
 * publish them (get_service_status, get_node_status, list_open_incidents) answer the same.
 */
@QuarkusTest
@TestProfile(DerivedViewsEquivalenceTest.OwnStore.class)
class DerivedViewsEquivalenceTest {

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("homelab.tools.payload-budget-bytes", "1024");
        }
    }

    static final int EVENTS = 1500;
    static final List<String> SERVICES = List.of("eq-a", "eq-b", "eq-c", "eq-d", "eq-e", "eq-f");
    static final List<String> NODES = List.of("eq-n0", "eq-n1", "eq-n2", "eq-n3");
    static final List<String> STEPS = List.of("restart", "rollback", "reboot");
    static boolean seeded;

    @Inject
    StatusViews status;
    @Inject
    Incidents incidents;
    @Inject
    EventTools tools;
    @Inject
    EventService service;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void seed() {
        if (seeded) {
            return;
        }
        Random rnd = new Random(42);
        Instant now = Instant.now();
        Map<String, List<String>> startedIds = new TreeMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String type = EventTypes.NORMALIZED.get(rnd.nextInt(EventTypes.NORMALIZED.size()));
            String severity = Severity.NAMES.get(rnd.nextInt(Severity.NAMES.size()));
            // 70% in one of 150 chains, spread over 60 days so the 30-day default window matters
            String cid = rnd.nextInt(10) < 7 ? "eq-chain-" + rnd.nextInt(150) : null;
            Instant t = now.minusSeconds(60 + rnd.nextInt((int) Duration.ofDays(60).toSeconds()));
            ObjectNode payload = mapper.createObjectNode();
            if (type.startsWith("remediation_")) {
                if (rnd.nextInt(4) > 0) {
                    payload.put("step", STEPS.get(rnd.nextInt(STEPS.size())));
                }
                payload.put("action", STEPS.get(rnd.nextInt(STEPS.size())));
                if (type.equals(EventTypes.REMEDIATION_COMPLETED)) {
                    // a failed result at a low severity: only the payload tells
                    payload.put("result", rnd.nextInt(3) == 0 ? "failed" : "succeeded");
                    List<String> starts = cid == null ? null : startedIds.get(cid);
                    if (starts != null && rnd.nextInt(3) == 0) {
                        payload.put("started_event_id", starts.get(rnd.nextInt(starts.size())));
                    }
                }
            } else {
                payload.put("stage", "stage-" + rnd.nextInt(5)).put("error", "error " + i);
            }
            var emitted = service.emit(new EventDraft(Timestamps.toJson(t), NODES.get(rnd.nextInt(NODES.size())), type,
                    severity, "eq.sh", SERVICES.get(rnd.nextInt(SERVICES.size())), cid, payload));
            if (cid != null && type.equals(EventTypes.REMEDIATION_STARTED)) {
                startedIds.computeIfAbsent(cid, k -> new ArrayList<>()).add(emitted.event().id().toString());
            }
        }
        seeded = true;
    }

    /** Every event of the store, oldest first, read from the files. */
    List<Event> all() {
        return service.loadAll(service.entries(new EventQuery(null, null, Set.of(), Set.of(), null, null, null, null, false,
                null, Integer.MAX_VALUE)).entries());
    }

    @Test
    void serviceStatusEqualsFoldOverEveryEvent() {
        Map<String, List<Event>> bySvc = new TreeMap<>();
        for (Event e : all()) {
            bySvc.computeIfAbsent(e.service(), k -> new ArrayList<>()).add(e);
        }
        List<ServiceStatus> expected = bySvc.entrySet().stream().map(en -> serviceStatus(en.getKey(), en.getValue())).toList();
        assertEquals(expected, status.services(null));
        assertEquals(List.of(expected.get(2)), status.services("eq-c"));
        // the tool pages the same statuses, those needing attention first, compact (AnswerSizeTest)
        var page = tools.getServiceStatus(new ToolArgs.GetServiceStatus(null, 200));
        assertEquals(expected.size(), page.total());
        assertEquals(expected.stream().map(s -> s.service() + "=" + s.health()).sorted().toList(),
                page.services().stream().map(s -> s.service() + "=" + s.health()).sorted().toList());
        assertEquals(List.copyOf(bySvc.keySet()), status.serviceNames());
        assertTrue(expected.stream().anyMatch(s -> s.health().equals("healthy"))
                && expected.stream().anyMatch(s -> s.health().equals("unhealthy")), "the seed covers both states");
    }

    @Test
    void nodeStatusEqualsFoldOverEveryEvent() {
        Map<String, List<Event>> byNode = new TreeMap<>();
        for (Event e : all()) {
            byNode.computeIfAbsent(e.node(), k -> new ArrayList<>()).add(e);
        }
        List<NodeStatus> expected = byNode.entrySet().stream().map(en -> nodeStatus(en.getKey(), en.getValue())).toList();
        assertEquals(expected, status.nodes(null));
        assertEquals(List.of(expected.get(1)), status.nodes("eq-n1"));
        assertEquals(expected, tools.getNodeStatus(new ToolArgs.GetNodeStatus(null)).nodes());
    }

    @Test
    void openIncidentsEqualBruteForceOverEveryChain() {
        List<Event> all = all();
        Instant now = Instant.now();
        for (String since : new String[]{ "1970-01-01T00:00:00Z", "now-7d", "now-45d" }) {
            IncidentList expected = incidents(all, parseSince(since, now), 200);
            IncidentList got = incidents.open(since, 200);
            assertEquals(expected, got, "since " + since);
            assertEquals(expected.incidents().subList(0, 5), incidents.open(since, 5).incidents(), "a page, since " + since);
            assertEquals(expected, tools.listOpenIncidents(new ToolArgs.ListOpenIncidents(since, 200)), "the tool, since "
                    + since);
        }
        IncidentList defaultWindow = incidents.open((String) null, 200);
        assertEquals(incidents(all, now.minus(Incidents.DEFAULT_WINDOW), 200), defaultWindow);
        IncidentList allTime = incidents(all, null, 200);
        assertTrue(allTime.total() > defaultWindow.total(), "the default window leaves out older chains");
        assertTrue(allTime.incidents().stream().anyMatch(i -> i.outcome().equals("remediating"))
                && allTime.incidents().stream().anyMatch(i -> i.outcome().equals("failed")), "the seed covers outcomes");
        assertFalse(allTime.incidents().isEmpty());
    }

    @Test
    void aChainDecidedByAPayloadIsJudgedAgainWhenItGrows() {
        String since = "1970-01-01T00:00:00Z";
        incidents.open(since, 200); // the outcomes read from payloads are cached
        Map<String, List<Event>> chains = new LinkedHashMap<>();
        for (Event e : all()) {
            chains.computeIfAbsent(e.correlationId(), k -> new ArrayList<>()).add(e);
        }
        // resolved by a successful remediation_completed below error: decided by its payload
        String cid = chains.entrySet().stream()
                .filter(c -> c.getValue().get(c.getValue().size() - 1).type().equals(EventTypes.REMEDIATION_COMPLETED)
                        && c.getValue().get(c.getValue().size() - 1).severity().ordinal() < Severity.ERROR.ordinal()
                        && ChainAnalysis.outcome(c.getValue()).equals(ChainAnalysis.RESOLVED)
                        && c.getValue().stream().anyMatch(e -> ChainAnalysis.FAILURE_TYPES.contains(e.type())))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("the seed has such a chain"));
        assertFalse(incidents.open(since, 200).incidents().stream()
                .anyMatch(i -> i.correlationId().equals(cid)));
        service.emit(new EventDraft(Timestamps.toJson(Instant.now().minusSeconds(5)), "eq-n0",
                EventTypes.REMEDIATION_COMPLETED, "info", "eq.sh", "eq-a", cid,
                mapper.createObjectNode().put("action", "restart").put("result", "failed")));
        IncidentList got = incidents.open(since, 200);
        assertEquals(incidents(all(), parseSince(since, Instant.now()), 200), got);
        assertEquals(cid, got.incidents().get(0).correlationId());
        assertEquals("failed", got.incidents().get(0).outcome());
    }

    private static Instant parseSince(String since, Instant now) {
        return dev.homelab.events.service.TimeExpressions.parse("since", since, now);
    }

    // ---------------------------------------------------------------- the first implementation, over files

    static String time(Event e) {
        return Timestamps.toJson(e.timestamp());
    }

    static ServiceStatus serviceStatus(String name, List<Event> events) {
        String health = "unknown";
        Event healthEvent = null;
        Event deployment = null;
        for (Event e : events) {
            switch (e.type()) {
                case EventTypes.SERVICE_UNHEALTHY, EventTypes.HEALTHCHECK_FAILED -> {
                    health = "unhealthy";
                    healthEvent = e;
                }
                case EventTypes.SERVICE_RECOVERED -> {
                    health = "healthy";
                    healthEvent = e;
                }
                case EventTypes.DEPLOYMENT_STARTED, EventTypes.DEPLOYMENT_COMPLETED, EventTypes.DEPLOYMENT_FAILED ->
                    deployment = e;
                default -> {
                }
            }
        }
        Deployment d = null;
        if (deployment != null) {
            String state = switch (deployment.type()) {
                case EventTypes.DEPLOYMENT_STARTED -> "in_progress";
                case EventTypes.DEPLOYMENT_FAILED -> "failed";
                default -> "completed";
            };
            d = new Deployment(state, deployment.correlationId(), time(deployment));
        }
        Event last = events.get(events.size() - 1);
        return new ServiceStatus(name, health, healthEvent == null ? null : time(healthEvent),
                healthEvent == null ? null : healthEvent.id().toString(), d, time(last), events.size());
    }

    static NodeStatus nodeStatus(String name, List<Event> events) {
        String state = "unknown";
        Event stateEvent = null;
        for (Event e : events) {
            if (EventTypes.NODE_OFFLINE.equals(e.type())) {
                state = "offline";
                stateEvent = e;
            } else if (EventTypes.NODE_ONLINE.equals(e.type())) {
                state = "online";
                stateEvent = e;
            }
        }
        Event last = events.get(events.size() - 1);
        return new NodeStatus(name, state, stateEvent == null ? null : time(stateEvent), time(last), last.type(),
                events.size());
    }

    static IncidentList incidents(List<Event> all, Instant since, int limit) {
        Map<String, List<Event>> chains = new LinkedHashMap<>();
        for (Event e : all) {
            chains.computeIfAbsent(e.correlationId(), k -> new ArrayList<>()).add(e);
        }
        List<Incident> open = new ArrayList<>();
        for (Map.Entry<String, List<Event>> c : chains.entrySet()) {
            List<Event> chain = c.getValue();
            boolean incident = chain.stream().anyMatch(e -> ChainAnalysis.FAILURE_TYPES.contains(e.type())
                    || e.severity().atLeast(Severity.ERROR));
            Event last = chain.get(chain.size() - 1);
            if (!incident || (since != null && last.timestamp().isBefore(since))) {
                continue;
            }
            String outcome = ChainAnalysis.outcome(chain);
            if (outcome.equals(ChainAnalysis.RESOLVED)) {
                continue;
            }
            int openSteps = (int) ChainAnalysis.remediations(chain).stream().filter(s -> s.status().equals("open")).count();
            Set<String> services = new LinkedHashSet<>();
            chain.forEach(e -> services.add(e.service()));
            open.add(new Incident(c.getKey(), outcome, List.copyOf(services), time(chain.get(0)), time(last), last.type(),
                    ChainAnalysis.failure(chain), openSteps));
        }
        open.sort(Comparator.comparing(Incident::lastAt).reversed().thenComparing(Incident::correlationId));
        return new IncidentList(open.stream().limit(limit).toList(), open.size(), open.size() > limit);
    }
}
