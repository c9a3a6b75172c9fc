package dev.homelab.events.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.homelab.events.TestEvents;
import dev.homelab.events.index.EventIndex;
import dev.homelab.events.index.Reconciler;
import dev.homelab.events.storage.FileProblem;

/**
 * Two files with one id, as copies and syncs produce them: identical content is a harmless copy, skipped;
 * different content is a conflict, reported, and neither file is ever changed.
 */
class DuplicateIdsTest {

    static final String NAME = "20261120T100000.000001Z_deployment_started_11111111-2222-4333-8444-555555555555.json";
    static final String CONTENT = "{\"timestamp\":\"2026-11-20T10:00:00.000001Z\",\"node\":\"pi4\",\"type\":\"deployment_started\","
            + "\"severity\":\"info\",\"source\":\"deploy.sh\",\"service\":\"mosquitto\",\"correlation_id\":\"deploy-100\","
            + "\"payload\":{\"version\":\"1.0\"}}\n";

    @TempDir
    Path root;

    @Test
    void anIdenticalCopyIsSkippedAsHarmless() throws IOException {
        write("2026-11-20/pi4", CONTENT);
        write("2026-11-20/backup", CONTENT);

        List<FileProblem> problems = reconcile();

        assertEquals(1, problems.size(), problems.toString());
        assertEquals(FileProblem.Reason.IDENTICAL_COPY, problems.get(0).reason());
        assertTrue(problems.get(0).detail().contains("harmless"), problems.get(0).detail());
    }

    @Test
    void theSameEventFormattedDifferentlyIsStillACopy() throws IOException {
        write("2026-11-20/pi4", CONTENT);
        // pretty-printed by some tool on the way: same fields, same payload
        write("2026-11-20/backup", CONTENT.replace(",", ", ").replace("{", "{ "));

        List<FileProblem> problems = reconcile();

        assertEquals(List.of(FileProblem.Reason.IDENTICAL_COPY), problems.stream().map(FileProblem::reason).toList());
    }

    @Test
    void differentContentUnderOneIdIsAConflictAndNothingIsOverwritten() throws IOException {
        Path a = write("2026-11-20/pi4", CONTENT);
        String other = CONTENT.replace("\"1.0\"", "\"2.0\"");
        Path b = write("2026-11-20/nas", other);
        byte[] aBefore = Files.readAllBytes(a);
        byte[] bBefore = Files.readAllBytes(b);
        EventIndex index = new EventIndex();

        List<FileProblem> problems = reconcile(index);

        assertEquals(1, problems.size(), problems.toString());
        assertEquals(FileProblem.Reason.DUPLICATE_ID, problems.get(0).reason());
        assertTrue(problems.get(0).detail().contains("different content"), problems.get(0).detail());
        assertEquals(1, index.size(), "indexed once");
        assertArrayEquals(aBefore, Files.readAllBytes(a));
        assertArrayEquals(bBefore, Files.readAllBytes(b));
    }

    private Path write(String dir, String content) throws IOException {
        return Files.writeString(Files.createDirectories(root.resolve(dir)).resolve(NAME), content);
    }

    private List<FileProblem> reconcile() throws IOException {
        return reconcile(new EventIndex());
    }

    private List<FileProblem> reconcile(EventIndex index) throws IOException {
        Reconciler reconciler = new Reconciler(TestEvents.store(root), index);
        reconciler.reconcile();
        reconciler.reconcile(); // a second pass changes nothing: the problem is remembered, not re-reported
        return reconciler.problems();
    }
}
