package dev.homelab.events.ask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state of one question while the model works on it: its limits, every tool call it asked for, and the
 * event ids the tools showed it. Bound to the thread that runs the AI service (LangChain4j runs the tool loop
 * synchronously on the calling thread), so the tool executors and the refusal strategy find it without a
 * parameter. Mutated by that one thread; read by the request thread only after that thread has finished or
 * been given up on, through {@link #snapshot()} which copies under the lock.
 */
public final class AskContext {

    /** Why a tool call was not run, or {@code ok}. */
    public enum Status {
        ok,
        error,
        refused,
        over_limit
    }

    /** One tool call as the model asked for it. */
    public record ToolCall(String name, String arguments, Status status) {
    }

    /** Event ids: the UUIDs of the store; any UUID in a tool result is the id of an event there. */
    static final Pattern EVENT_ID = Pattern.compile("\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b");

    private static final ThreadLocal<AskContext> CURRENT = new ThreadLocal<>();

    private final int maxToolCalls;
    private final int budgetChars;
    private final Instant deadline;
    /** Random per question: an event cannot forge the end of its data block without knowing it. */
    private final String nonce = UUID.randomUUID().toString().substring(0, 8);
    private final List<ToolCall> calls = new ArrayList<>();
    private final Set<String> seenIds = new LinkedHashSet<>();
    private int executed;
    private int refusedOverLimit;
    private volatile boolean abandoned;

    AskContext(int maxToolCalls, int budgetTokens, Instant deadline) {
        this.maxToolCalls = maxToolCalls;
        this.budgetChars = budgetTokens * 4;
        this.deadline = deadline;
    }

    static AskContext current() {
        return CURRENT.get();
    }

    void bind() {
        CURRENT.set(this);
    }

    static void unbind() {
        CURRENT.remove();
    }

    int maxToolCalls() {
        return maxToolCalls;
    }

    int budgetChars() {
        return budgetChars;
    }

    Instant deadline() {
        return deadline;
    }

    String nonce() {
        return nonce;
    }

    /** The request gave up (total timeout): whatever the model still asks for is not run. */
    void abandon() {
        abandoned = true;
    }

    boolean abandoned() {
        return abandoned || Instant.now().isAfter(deadline);
    }

    /** True when one more tool may run; counts it. */
    synchronized boolean tryAcquireCall() {
        if (executed >= maxToolCalls) {
            refusedOverLimit++;
            return false;
        }
        executed++;
        return true;
    }

    /** Calls refused because the limit was reached; the model gets one refusal to answer, then the question stops. */
    synchronized int refusedOverLimit() {
        return refusedOverLimit;
    }

    synchronized void record(String name, String arguments, Status status) {
        calls.add(new ToolCall(name, arguments, status));
    }

    /** Remembers the event ids in text that reaches the model, so citations can be checked against them. */
    synchronized void sawToolResult(String text) {
        Matcher m = EVENT_ID.matcher(text);
        while (m.find()) {
            seenIds.add(m.group());
        }
    }

    /** A consistent copy for the request thread. */
    synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(calls), List.copyOf(seenIds));
    }

    record Snapshot(List<ToolCall> calls, List<String> seenIds) {
    }
}
