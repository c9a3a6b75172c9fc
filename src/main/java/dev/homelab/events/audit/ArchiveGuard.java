package dev.homelab.events.audit;

import java.io.IOException;
import java.time.LocalDate;

import dev.homelab.events.ConflictException;
import dev.homelab.events.archive.DayArchiver;

/**
 * Verifies a day against the audit trail before the archiver writes its archive and removes its live files: the
 * archiver then checks that the archive holds the very bytes that are live, so a clean verification of the live day
 * means the archive holds what was sealed and signed. With any problem nothing is written or removed and the day
 * stays live, so a changed file is never laundered into an archive: a {@link ConflictException} on {@code date}
 * (REST answers 409; a retention run lists it among its errors and goes on with the next day).
 */
final class ArchiveGuard implements DayArchiver.RemovalGuard {

    /** Verifies one UTC day, every node. */
    interface DayVerifier {
        AuditReport verify(LocalDate day) throws IOException;
    }

    private final DayVerifier verifier;

    ArchiveGuard(DayVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void beforeRemoval(LocalDate day) throws IOException {
        AuditReport r = verifier.verify(day);
        if (!r.ok()) {
            Finding first = r.problems().get(0);
            throw new ConflictException("date", day.toString(), "is not archived: its audit trail reports "
                    + r.problems().size() + " problem(s), the first: " + first.path() + ": " + first.reason()
                    + "; the day stays live until someone looks (GET /api/audit/verify?since=" + day + "&until=" + day
                    + ")");
        }
    }
}
