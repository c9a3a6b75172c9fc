package dev.homelab.events.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.homelab.events.storage.EventCodec;
import dev.homelab.events.storage.EventFiles;

/**
 * The offline verifier ({@code tools/verify}): checks a store directory, or a copy of it, against its audit trail
 * with the server down, using only the JDK, Jackson and this project's reader. Exit status 0 when no problem is
 * found, 1 when there are problems (each printed on its own line), 2 when it could not run (bad arguments, an
 * unreadable key).
 *
 * <pre>
 * verify &lt;store-dir&gt; [--public-key FILE]... [--archive-dir DIR] [--since yyyy-MM-dd] [--until yyyy-MM-dd]
 *        [--node NODE] [--anchor FILE] [--peer-pins DIR] [--expired-before yyyy-MM-dd] [--file-max-bytes N] [--notices] [--json]
 * </pre>
 */
public final class VerifyMain {

    static final String USAGE = """
            usage: verify <store-dir> [options]
              --public-key FILE       trusted Ed25519 public key (PEM; repeatable). Without it the keys in
                                      <store-dir>/.audit/keys are used, which whoever can write the store can replace
              --archive-dir DIR       where day archives are (default <store-dir>/.archive)
              --since DATE            first day to check (yyyy-MM-dd, UTC); --until DATE: last day
              --node NODE             only this node's days
              --anchor FILE           the server's chain heads (audit-heads-*.json beside its key): finds removed newest digests
              --peer-pins DIR         the server's pinned peer keys (audit-peers/ beside its key): checks the peer keys kept in the store
              --expired-before DATE   days before DATE may miss files whose archive retention deleted
              --file-max-bytes N      the store's homelab.events.file-max-bytes (default 1048576)
              --notices               also print notices (late arrivals, torn lines, open days)
              --json                  print the report as JSON
            exit status: 0 no problem, 1 problems found (one line each), 2 could not verify
            """;

    private VerifyMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path root = null;
        Path archiveDir = null;
        Path anchor = null;
        Path peerPins = null;
        List<PublicKey> keys = new ArrayList<>();
        LocalDate since = null;
        LocalDate until = null;
        LocalDate expiredBefore = null;
        String node = null;
        long maxBytes = 1 << 20;
        boolean json = false;
        boolean notices = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--public-key" -> keys.add(AuditKeys.parsePublicKey(
                            new String(Files.readAllBytes(Path.of(value(args, ++i, a))), StandardCharsets.US_ASCII)));
                    case "--archive-dir" -> archiveDir = Path.of(value(args, ++i, a));
                    case "--anchor" -> anchor = Path.of(value(args, ++i, a));
                    case "--peer-pins" -> peerPins = Path.of(value(args, ++i, a));
                    case "--since" -> since = LocalDate.parse(value(args, ++i, a));
                    case "--until" -> until = LocalDate.parse(value(args, ++i, a));
                    case "--expired-before" -> expiredBefore = LocalDate.parse(value(args, ++i, a));
                    case "--node" -> node = value(args, ++i, a);
                    case "--file-max-bytes" -> maxBytes = Long.parseLong(value(args, ++i, a));
                    case "--json" -> json = true;
                    case "--notices" -> notices = true;
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("-") || root != null) {
                            throw new IllegalArgumentException("unexpected argument: " + a);
                        }
                        root = Path.of(a);
                    }
                }
            }
            if (root == null) {
                throw new IllegalArgumentException("no store directory given");
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("not a directory: " + root);
            }
        } catch (IOException | RuntimeException e) {
            err.println("verify: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        root = root.toAbsolutePath().normalize();
        if (archiveDir == null) {
            archiveDir = root.resolve(".archive");
        }
        try {
            Map<String, ChainHead> heads = anchor == null ? Map.of() : new Anchors(anchor, root).heads();
            ObjectMapper mapper = new ObjectMapper();
            EventFiles files = new EventFiles(root, new EventCodec(mapper), maxBytes);
            AuditReport report = new Verifier(new Verifier.Options(root, archiveDir, keys, since, until, node, heads,
                    expiredBefore, maxBytes, Runtime.getRuntime().availableProcessors(), peerPins), files).verify();
            if (json) {
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } else {
                for (Finding f : report.problems()) {
                    out.println("PROBLEM " + f.kind().wireName() + " " + f.path() + ": " + f.reason());
                }
                for (Finding f : report.notices()) {
                    if (notices || f.kind() == Finding.Kind.KEYS_FROM_STORE) {
                        out.println("note " + f.kind().wireName() + " " + f.path() + ": " + f.reason());
                    }
                }
                out.println((report.ok() ? "ok: " : "FAILED: " + report.problems().size() + " problem(s); ")
                        + report.checked() + " event file(s) checked against their seals, " + report.days()
                        + " node-day(s), " + report.digests() + " signed digest(s), " + report.notices().size()
                        + " notice(s)" + (notices || report.notices().isEmpty() ? "" : " (--notices lists them)"));
            }
            return report.ok() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            err.println("verify: could not verify " + root + ": " + e);
            return 2;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
