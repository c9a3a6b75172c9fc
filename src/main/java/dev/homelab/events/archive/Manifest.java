package dev.homelab.events.archive;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The first entry of every day archive, {@code .manifest.json}: what the archive holds and the checksum of
 * every file. Paths are relative to the store root ({@code <date>/<node>/<file>}), which is also each zip
 * entry's name, so unzipping an archive into the root re-creates the layout.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String date, String created, List<FileEntry> files) {

    public static final String ENTRY_NAME = ".manifest.json";
    public static final int FORMAT = 1;

    /** One archived file; {@code id} and {@code correlation_id} let chains find archived events without unpacking. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String path, long size, String sha256, String id,
            @JsonProperty("correlation_id") String correlationId) {
    }
}
