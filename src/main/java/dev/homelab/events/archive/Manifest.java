package dev.homelab.events.archive;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The first entry of every day archive, {@code .manifest.json}: what the archive holds and the checksum of
 * every file. Paths are relative to the store root ({@code <date>/<node>/<file>}), which is also each zip
 * entry's name, so unzipping an archive into the root re-creates the layout.
 *
 * <p>
 * Format 2 adds {@code audit}: the day's audit records the archive carries (seal records, digests and the public
 * keys that sign them, under {@code .audit/}, see docs/audit.md), so an archived day can be verified, and a restore
 * checked, against its signed digests. Format 1 archives have none ({@code audit} null).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String date, String created, List<FileEntry> files, Audit audit) {

    public static final String ENTRY_NAME = ".manifest.json";
    public static final int FORMAT = 2;

    /** The carried audit records: the ids of the keys that signed the digests, and each record file. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Audit(@JsonProperty("key_ids") List<String> keyIds, List<FileEntry> files) {
    }

    /** One archived file; {@code id} and {@code correlation_id} let chains find archived events without unpacking. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String path, long size, String sha256, String id,
            @JsonProperty("correlation_id") String correlationId) {
    }
}
