package dev.homelab.events.rest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.service.DemoData;
import dev.homelab.events.service.EventService;
import dev.homelab.events.service.StoreProblem;

@Path("/api/store")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "store")
public class StoreResource {

    public record Problems(int count, @JsonProperty("by_reason") Map<String, Integer> byReason,
            List<StoreProblem> entries) {
    }

    public record Info(String root, String node, List<String> types) {
    }

    @Inject
    EventService service;
    @Inject
    DemoData demo;

    public record DemoLoaded(@JsonProperty("correlation_id") String correlationId, int written) {
    }

    @jakarta.ws.rs.POST
    @Path("demo")
    @Operation(summary = "Load the specification's example flow (deploy-882) unless it is already stored")
    public DemoLoaded loadDemo() {
        return new DemoLoaded(DemoData.CORRELATION_ID, demo.loadIfAbsent());
    }

    @GET
    @Path("problems")
    @Operation(summary = "Skipped entries", description = "Files and folders under the root that are not readable events: "
            + "corrupt, truncated, foreign, temp, symlinks, duplicates. They are never altered.")
    public Problems problems() {
        List<StoreProblem> problems = service.problems();
        Map<String, Integer> byReason = new TreeMap<>();
        problems.forEach(p -> byReason.merge(p.reason(), 1, Integer::sum));
        return new Problems(problems.size(), byReason, problems);
    }

    @GET
    @Operation(summary = "Store information: root, this node's name, accepted types")
    public Info info() {
        return new Info(service.root().toString(), service.nodeName(), service.types());
    }
}
