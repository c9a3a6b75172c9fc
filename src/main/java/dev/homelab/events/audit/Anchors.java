package dev.homelab.events.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.homelab.events.storage.DurableFiles;
import dev.homelab.events.storage.EventFiles;

/**
 * The chain heads this server wrote, kept next to the private key, outside the store
 * ({@code audit-heads-<store hash>.json}): someone who can write the store but not the key's directory can remove
 * the newest digests and their days without breaking the chain in the store, but not without the server noticing
 * (see docs/audit.md, threat model). Replaced atomically after each digest.
 *
 * <p>
 * Thread-safety: synchronized.
 */
final class Anchors {

    private final Path file;
    private final String store;
    private final Map<String, ChainHead> heads = new TreeMap<>();

    Anchors(Path file, Path storeRoot) throws IOException {
        this.file = file;
        this.store = storeRoot.toString();
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            JsonNode o = Seal.JSON.readTree(EventFiles.readAtMost(file, 4 << 20));
            for (Map.Entry<String, JsonNode> e : o.path("heads").properties()) {
                heads.put(e.getKey(), new ChainHead(e.getValue().path("sequence").asLong(), e.getValue().path("date").asText(),
                        e.getValue().path("sha256").asText()));
            }
        }
    }

    /** The anchor file of a store: beside the key, named by a hash of the store's path (one key may sign several stores). */
    static Path fileFor(Path keyFile, Path storeRoot) {
        String tag = Hashes.sha256Hex(storeRoot.toAbsolutePath().normalize().toString().getBytes(
                StandardCharsets.UTF_8)).substring(0, 16);
        return keyFile.toAbsolutePath().getParent().resolve("audit-heads-" + tag + ".json");
    }

    synchronized Map<String, ChainHead> heads() {
        return Map.copyOf(heads);
    }

    synchronized void record(String node, ChainHead head) throws IOException {
        ChainHead known = heads.get(node);
        if (known != null && known.sequence() > head.sequence()) {
            return;
        }
        heads.put(node, head);
        ObjectNode o = Seal.JSON.createObjectNode();
        o.put("store", store);
        ObjectNode h = o.putObject("heads");
        heads.forEach((n, c) -> h.putObject(n).put("sequence", c.sequence()).put("date", c.date()).put("sha256", c.sha256()));
        DurableFiles.replace(file, Seal.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
}
