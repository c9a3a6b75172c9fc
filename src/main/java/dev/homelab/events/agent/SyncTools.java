package dev.homelab.events.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.service.Replication;

/** The sync tools, on top of {@link Replication}; reached through {@link ToolCatalog} like every tool. */
@ApplicationScoped
public class SyncTools {

    @Inject
    Replication replication;

    public ToolResults.SyncRun syncNow(ToolArgs.SyncNow a) {
        return new ToolResults.SyncRun(replication.runNow(a.peer()));
    }

    public ToolResults.SyncStatus getSyncStatus(ToolArgs.GetSyncStatus a) {
        Replication.Status s = replication.status(a.peer());
        return new ToolResults.SyncStatus(s.node(), s.scheduleEnabled(), s.intervalSeconds(), s.peers(), s.nats());
    }
}
