package dev.homelab.events.security;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

import dev.homelab.events.config.SecurityConfig;

/**
 * Loads the token and the host policy once, and refuses to start a server that anyone on the network could
 * write to: bound beyond loopback with no token.
 */
@ApplicationScoped
public class SecurityProducer {

    private static final Logger LOG = Logger.getLogger(SecurityProducer.class);

    @Produces
    @Singleton
    BearerToken bearerToken(SecurityConfig config) {
        return BearerToken.load(config);
    }

    @Produces
    @Singleton
    HostPolicy hostPolicy(SecurityConfig config) {
        return new HostPolicy(bindHost(), config.allowedHosts().orElse(List.of()), config.allowedOrigins().orElse(List.of()));
    }

    /** Runs before the index is built, so a refused start does no work and says why at once. */
    void checkOnStart(
            @Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev,
            BearerToken token, SecurityConfig config) {
        String refusal = refusal(httpEnabled(), bindHost(), token.configured());
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        if (token.configured()) {
            LOG.infof("HTTP writes require the bearer token from %s%s", token.origin(),
                    config.protectReads() ? "; reads on /api and /mcp too" : "");
        } else {
            LOG.infof("HTTP is bound to loopback (%s) and no token is set: local writes need no token", bindHost());
        }
    }

    /** Why the server must not start, or null. */
    static String refusal(boolean httpEnabled, String bindHost, boolean tokenConfigured) {
        if (!httpEnabled || tokenConfigured || HostPolicy.isLoopbackBind(bindHost)) {
            return null;
        }
        return "Refusing to start: HTTP is bound to " + bindHost + ", beyond loopback, and no bearer token is set, so anyone "
                + "on the network could write events. Either set a token, e.g. HOMELAB_EVENTS_TOKEN=$(openssl rand -hex 32) "
                + "or HOMELAB_EVENTS_TOKEN_FILE=/path/to/token-file, or bind to loopback with QUARKUS_HTTP_HOST=127.0.0.1.";
    }

    static String bindHost() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
    }

    static boolean httpEnabled() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.host-enabled", Boolean.class).orElse(true);
    }
}
