package dev.homelab.events.ask;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;

import io.quarkiverse.langchain4j.ChatMemoryRemover;
import io.smallrye.faulttolerance.api.TypedGuard;

import dev.homelab.events.config.AskConfig;

/**
 * Runs one question's conversation with the model under the limits of {@link AskConfig}, with SmallRye Fault
 * Tolerance: a bulkhead lets {@code homelab.ask.max-concurrent} questions run at once and
 * {@code 4 × max-concurrent} wait, and a timeout ends the wait at {@code homelab.ask.total-timeout}. The
 * conversation runs off the request thread (thread offload), so the request gets its 504 at the deadline even
 * while the model client is still blocked.
 *
 * <p>
 * The guard is built programmatically ({@link TypedGuard}) rather than with {@code @Bulkhead}/{@code @Timeout}
 * because both limits come from {@link AskConfig} (a {@code Duration} and an {@code int} an operator sets as
 * HOMELAB_ASK_*), which annotation values cannot read.
 */
@ApplicationScoped
public class AskRunner {

    @Inject
    AskAssistant assistant;
    @Inject
    AskConfig config;

    private TypedGuard<CompletionStage<String>> guard;

    @PostConstruct
    void init() {
        int n = Math.max(1, config.maxConcurrent());
        guard = TypedGuard.create(new TypeLiteral<CompletionStage<String>>() {
        })
                .withDescription("POST /api/ask")
                .withBulkhead().limit(n).queueSize(4 * n).done()
                .withTimeout().duration(Math.max(1, config.totalTimeout().toMillis()), ChronoUnit.MILLIS).done()
                .withThreadOffload(true)
                .build();
    }

    /**
     * The model's answer to {@code message}, its tools bound to {@code ctx}. Throws TimeoutException past the total
     * timeout (the context is abandoned and the conversation's thread interrupted, so no further tool runs),
     * ExecutionException with whatever the conversation threw, and ModelUnavailableException when too many
     * questions are waiting already.
     */
    String answer(AskContext ctx, String questionId, String message) throws TimeoutException, ExecutionException {
        Conversation conversation = new Conversation();
        CompletionStage<String> stage;
        try {
            stage = guard.get(() -> conversation.run(() -> {
                ctx.bind();
                try {
                    return assistant.answer(questionId, message);
                } finally {
                    AskContext.unbind();
                    ChatMemoryRemover.remove(assistant, questionId);
                }
            }));
        } catch (BulkheadException e) {
            throw busy(e);
        }
        try {
            return stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.abandon();
            conversation.interrupt();
            throw new AskTimeoutException("the server is shutting down");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
                ctx.abandon();
                conversation.interrupt();
                TimeoutException t = new TimeoutException("past homelab.ask.total-timeout");
                t.initCause(e.getCause());
                throw t;
            }
            if (e.getCause() instanceof BulkheadException b) {
                throw busy(b);
            }
            throw e;
        }
    }

    private ModelUnavailableException busy(BulkheadException e) {
        return new ModelUnavailableException("too many questions are waiting for the model (homelab.ask.max-concurrent="
                + config.maxConcurrent() + "); ask again shortly", true, e);
    }

    /** A blocking conversation, and the thread it runs on while it runs, so a timeout can interrupt it. */
    private static final class Conversation {
        private Thread thread;
        private boolean interrupted;

        interface Body {
            String run();
        }

        CompletionStage<String> run(Body body) {
            if (!start()) {
                return CompletableFuture.failedFuture(new AskAbortedException(AskAbortedException.Reason.timeout,
                        "the question's total time ran out before it started"));
            }
            try {
                return CompletableFuture.completedFuture(body.run());
            } catch (RuntimeException | Error e) {
                return CompletableFuture.failedFuture(e);
            } finally {
                finish();
                // an interrupt meant for this conversation must not reach the pool thread's next task
                Thread.interrupted();
            }
        }

        private synchronized boolean start() {
            if (interrupted) {
                return false; // given up on while it waited in the bulkhead's queue
            }
            thread = Thread.currentThread();
            return true;
        }

        private synchronized void finish() {
            thread = null;
        }

        synchronized void interrupt() {
            interrupted = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
