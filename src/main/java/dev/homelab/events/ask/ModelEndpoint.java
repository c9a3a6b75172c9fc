package dev.homelab.events.ask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.homelab.events.Text;
import dev.homelab.events.config.AskConfig;
import dev.langchain4j.exception.HttpException;

/**
 * The configured model endpoint, and what its failures mean for an operator: whether a model is configured at all,
 * and the translation of whatever the model client threw into a 503 that says what to check.
 */
@ApplicationScoped
public class ModelEndpoint {

    /** The placeholders of application.properties for an unset base URL and model: no model is configured. */
    static final String BASE_URL_NOT_CONFIGURED = "http://model-not-configured.invalid/v1/";
    static final String MODEL_NOT_CONFIGURED = "not-configured";

    static final String NOT_CONFIGURED_HELP = "No model is configured for /api/ask. Set HOMELAB_ASK_BASE_URL to an "
            + "OpenAI-compatible endpoint ending in /v1 (Ollama: http://127.0.0.1:11434/v1) and HOMELAB_ASK_MODEL to a "
            + "model it serves (e.g. llama3.1:8b); HOMELAB_ASK_API_KEY if the endpoint needs one. See docs/ask.md. "
            + "The rest of the server works without a model.";

    static final int DETAIL_MAX_CHARS = 300;

    private static final Logger LOG = Logger.getLogger(ModelEndpoint.class);

    @ConfigProperty(name = "quarkus.langchain4j.openai.base-url")
    String baseUrl;
    @ConfigProperty(name = "quarkus.langchain4j.openai.chat-model.model-name")
    String model;
    @Inject
    AskConfig config;

    /** True when a base URL and a model are configured (not that the model is reachable: only a question tells). */
    public boolean configured() {
        return !BASE_URL_NOT_CONFIGURED.equals(baseUrl) && !MODEL_NOT_CONFIGURED.equals(model);
    }

    public String model() {
        return model;
    }

    ModelUnavailableException notConfigured() {
        return new ModelUnavailableException(NOT_CONFIGURED_HELP, false, null);
    }

    /**
     * What a failure of the model call means: a {@link ModelUnavailableException} naming what to check when it
     * came from the model client, else an IllegalStateException (a defect of ours, not the endpoint's).
     */
    RuntimeException failure(Throwable t) {
        String where = baseUrl + " (model " + model + ")";
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return new ModelUnavailableException("The model endpoint " + where + " cannot be reached (connection "
                        + "refused). Start the model server, or fix HOMELAB_ASK_BASE_URL.", true, t);
            }
            if (c instanceof UnknownHostException) {
                return new ModelUnavailableException("The host of the model endpoint " + where + " is unknown. Fix "
                        + "HOMELAB_ASK_BASE_URL.", true, t);
            }
            if (c instanceof TimeoutException || c instanceof SocketTimeoutException
                    || c instanceof dev.langchain4j.exception.TimeoutException
                    || c.getClass().getSimpleName().contains("Timeout")) {
                return new ModelUnavailableException("The model endpoint " + where + " did not answer within "
                        + config.timeout().toSeconds() + "s (HOMELAB_ASK_TIMEOUT). A large local model may need more.",
                        true, t);
            }
            Integer status = c instanceof HttpException h
                    ? Integer.valueOf(h.statusCode())
                    : c instanceof jakarta.ws.rs.WebApplicationException w
                            ? Integer.valueOf(w.getResponse().getStatus())
                            : null;
            if (status != null) {
                return new ModelUnavailableException("The model endpoint " + where + " answered HTTP " + status + ": "
                        + hint(status) + ".", true, t);
            }
        }
        if (!fromModelClient(t)) {
            // not the model's failure but ours: a 503 blaming the endpoint would send the operator the wrong way
            return new IllegalStateException("answering the question failed", t);
        }
        LOG.warnf(t, "The model call failed");
        return new ModelUnavailableException("The model endpoint " + where + " failed: "
                + Text.shorten(String.valueOf(t == null ? null : t.getMessage()), DETAIL_MAX_CHARS)
                + ". Check HOMELAB_ASK_BASE_URL and the model server.", true, t);
    }

    private String hint(int status) {
        return status == 401 || status == 403
                ? "it refused the API key: set HOMELAB_ASK_API_KEY"
                : status == 404
                        ? "check HOMELAB_ASK_BASE_URL (it must end in /v1) and that HOMELAB_ASK_MODEL is a model the "
                                + "endpoint serves (Ollama: ollama pull " + model + ")"
                        : status == 429
                                ? "it is rate limiting; ask again later"
                                : "check the model server's log";
    }

    /** True when the failure comes from the model client (LangChain4j, its OpenAI client, the REST client, I/O). */
    static boolean fromModelClient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String name = c.getClass().getName();
            if (name.startsWith("dev.langchain4j.") || name.startsWith("io.quarkiverse.langchain4j.")
                    || c instanceof jakarta.ws.rs.ProcessingException || c instanceof IOException
                    || c instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }
}
