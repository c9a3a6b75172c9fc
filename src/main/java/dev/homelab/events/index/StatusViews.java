package dev.homelab.events.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.homelab.events.index.EventIndex.Dimension;
import dev.homelab.events.index.EventIndex.ValueStatus;

/**
 * The derived status views: per node or service, counts and latest events, read from the day segments'
 * posting lists of one published state without materializing more than one entry per value and group.
 * Lock-free.
 */
final class StatusViews {
    private final NameDictionary nodeDict;
    private final NameDictionary typeDict;
    private final NameDictionary serviceDict;

    StatusViews(NameDictionary nodeDict, NameDictionary typeDict, NameDictionary serviceDict) {
        this.nodeDict = nodeDict;
        this.typeDict = typeDict;
        this.serviceDict = serviceDict;
    }

    /** The distinct values of a dimension among live events, sorted. */
    List<String> values(IndexState s, Dimension dim) {
        String[] names = dim == Dimension.NODE ? s.nodes : s.services;
        boolean[] seen = new boolean[names.length];
        for (DaySegment d : s.days) {
            for (int k : postings(d, dim).keys) {
                seen[k] = true;
            }
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < seen.length; k++) {
            if (seen[k] && names[k] != null) {
                out.add(names[k]);
            }
        }
        Collections.sort(out);
        return out;
    }

    /** See {@link EventIndex#statusBy}. */
    List<ValueStatus> statusBy(IndexState s, Dimension dim, String onlyValue, List<Set<String>> typeGroups) {
        String[] names = dim == Dimension.NODE ? s.nodes : s.services;
        int[] column = dim == Dimension.NODE ? s.c.node : s.c.service;
        int only = -1;
        if (onlyValue != null) {
            only = (dim == Dimension.NODE ? nodeDict : serviceDict).find(onlyValue);
            if (only < 0 || only >= names.length) {
                return List.of();
            }
        }
        long[] counts = new long[names.length];
        int[] lastRow = new int[names.length];
        Arrays.fill(lastRow, -1);
        int present = 0;
        for (DaySegment d : s.days) {
            Postings p = postings(d, dim);
            for (int i = 0; i < p.keys.length; i++) {
                int k = p.keys[i];
                if (only >= 0 && k != only) {
                    continue;
                }
                if (counts[k] == 0) {
                    present++;
                }
                counts[k] += p.lists[i].size;
                // days are oldest first and positions in listing order: the last day seen wins
                lastRow[k] = d.rows.get(p.lists[i].last());
            }
        }
        int[][] latest = new int[typeGroups.size()][];
        for (int g = 0; g < typeGroups.size(); g++) {
            latest[g] = new int[names.length];
            Arrays.fill(latest[g], -1);
            int[] typeIds = typeDict.ids(typeGroups.get(g));
            int found = 0;
            for (int di = s.days.length - 1; di >= 0 && found < present && typeIds.length > 0; di--) {
                DaySegment d = s.days[di];
                IntBlocks positions = d.type.union(typeIds);
                for (int i = positions.size - 1; i >= 0 && found < present; i--) {
                    int r = d.rows.get(positions.get(i));
                    int k = column[r];
                    if ((only < 0 || k == only) && latest[g][k] < 0) {
                        latest[g][k] = r;
                        found++;
                    }
                }
            }
        }
        List<ValueStatus> out = new ArrayList<>(present);
        for (int k = 0; k < names.length; k++) {
            if (counts[k] == 0) {
                continue;
            }
            List<IndexEntry> groups = new ArrayList<>(typeGroups.size());
            for (int[] l : latest) {
                groups.add(l[k] < 0 ? null : s.entry(l[k]));
            }
            out.add(new ValueStatus(names[k], counts[k], s.entry(lastRow[k]), Collections.unmodifiableList(groups)));
        }
        out.sort(Comparator.comparing(ValueStatus::value));
        return out;
    }

    private static Postings postings(DaySegment d, Dimension dim) {
        return dim == Dimension.NODE ? d.node : d.service;
    }
}
