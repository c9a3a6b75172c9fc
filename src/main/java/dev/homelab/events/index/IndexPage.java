package dev.homelab.events.index;

import java.util.List;

/** One page of index entries, with the number of all matches and whether more follow. */
public record IndexPage(List<IndexEntry> entries, long total, boolean hasMore) {
}
