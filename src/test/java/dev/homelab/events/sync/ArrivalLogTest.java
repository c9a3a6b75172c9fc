package dev.homelab.events.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrivalLogTest {

    @TempDir
    Path dir;

    @Test
    void aLateFileWithAnOldDateArrivesAfterTheCursor() throws IOException {
        ArrivalLog log = new ArrivalLog(dir.resolve("arrivals.log")).open();
        log.record(List.of("2026-05-02/a/x.json", "2026-05-01/a/y.json"));
        long cursor = log.last();
        // an offline node delivers an event from months ago: by timestamp it would sort before everything
        log.record(List.of("2026-05-02/a/x.json", "2026-01-01/b/old.json"));
        assertEquals(List.of(new ArrivalLog.Arrival(3, "2026-01-01/b/old.json")), log.after(cursor, 10));
        assertEquals("2026-05-01/a/y.json", log.after(0, 10).get(0).path(), "a batch is numbered in path order");
    }

    @Test
    void numbersSurviveAReopenAndATornLastLineIsDropped() throws IOException {
        Path file = dir.resolve("arrivals.log");
        ArrivalLog log = new ArrivalLog(file).open();
        log.record(List.of("d/a/1.json", "d/a/2.json"));
        String id = log.logId();
        log.close();
        Files.writeString(file, "d/a/3.js", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // crash mid-append
        ArrivalLog again = new ArrivalLog(file).open();
        assertEquals(id, again.logId());
        assertEquals(2, again.last());
        again.record(List.of("d/a/3.json"));
        assertEquals(List.of(new ArrivalLog.Arrival(3, "d/a/3.json")), again.after(2, 10));
        again.close();
        ArrivalLog third = new ArrivalLog(file).open();
        assertEquals(3, third.last());
    }

    @Test
    void aNewLogHasANewIdSoPeersStartOver() throws IOException {
        ArrivalLog a = new ArrivalLog(dir.resolve("a.log")).open();
        ArrivalLog b = new ArrivalLog(dir.resolve("b.log")).open();
        assertNotEquals(a.logId(), b.logId());
    }

    @Test
    void aPathThatComesBackIsNumberedAgainAndEveryLineKeepsItsNumberAfterReopen() throws IOException {
        Path file = dir.resolve("arrivals.log");
        ArrivalLog log = new ArrivalLog(file).open();
        log.record(List.of("d/a/1.json", "d/a/2.json"));
        log.forget("d/a/1.json"); // archived
        log.record(List.of("d/a/2.json", "d/a/1.json", "d/a/3.json")); // restored, plus a new one
        assertEquals(List.of(new ArrivalLog.Arrival(3, "d/a/1.json"), new ArrivalLog.Arrival(4, "d/a/3.json")),
                log.after(2, 10));
        log.close();
        ArrivalLog again = new ArrivalLog(file).open();
        assertEquals(4, again.last());
        assertEquals(new ArrivalLog.Arrival(4, "d/a/3.json"), again.after(3, 10).get(0));
        assertEquals(0, again.record(List.of("d/a/1.json", "d/a/3.json")));
    }
}
