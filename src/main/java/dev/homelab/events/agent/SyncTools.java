package dev.homelab.events.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.homelab.events.sync.SyncService;

/** The sync tools, on top of {@link SyncService} only; reached through {@link ToolCatalog} like every tool. */
@ApplicationScoped
public class SyncTools {

    @Inject
    SyncService sync;

    public ToolResults.SyncRun syncNow(ToolArgs.SyncNow a) {
        return new ToolResults.SyncRun(sync.runNow(a.peer()));
    }

    public ToolResults.SyncStatus getSyncStatus(ToolArgs.GetSyncStatus a) {
        SyncService.SyncStatus s = sync.status(a.peer());
        return new ToolResults.SyncStatus(s.node(), s.scheduleEnabled(), s.intervalSeconds(), s.peers());
    }
}
