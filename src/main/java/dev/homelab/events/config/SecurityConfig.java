package dev.homelab.events.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Who may write and read over HTTP, which browsers may talk to the server, and how much JSON a request
 * may carry ({@code homelab.security.*}). Stdio MCP is not covered: it runs as the local user.
 */
@ConfigMapping(prefix = "homelab.security")
public interface SecurityConfig {

    /**
     * Bearer token required for every write on every HTTP face (HOMELAB_EVENTS_TOKEN). Unset: writes are
     * open, which is only allowed while HTTP is bound to loopback.
     */
    Optional<String> token();

    /** File whose content (trailing whitespace removed) is the bearer token (HOMELAB_EVENTS_TOKEN_FILE); exclusive with token. */
    @WithName("token-file")
    Optional<Path> tokenFile();

    /** Also require the token for reads on /api and /mcp (HOMELAB_SECURITY_PROTECT_READS). */
    @WithName("protect-reads")
    @WithDefault("false")
    boolean protectReads();

    /**
     * Host names (without port) accepted in the Host and Origin headers of /api and /mcp requests, besides the
     * loopback names and the bind address (HOMELAB_SECURITY_ALLOWED_HOSTS, comma separated), e.g. nas.lan,192.168.1.20.
     */
    @WithName("allowed-hosts")
    Optional<List<String>> allowedHosts();

    /** Exact browser origins accepted besides those whose host is allowed (HOMELAB_SECURITY_ALLOWED_ORIGINS), e.g. https://dash.lan:3000. */
    @WithName("allowed-origins")
    Optional<List<String>> allowedOrigins();

    /**
     * How long a request body may take to arrive once the request head has (HOMELAB_SECURITY_BODY_TIMEOUT): a slower
     * upload, such as a client trickling a byte now and then to stay under the idle timeout, gets 408 and its
     * connection is closed.
     */
    @WithName("body-timeout")
    @WithDefault("30s")
    Duration bodyTimeout();

    Json json();

    /** Limits of every JSON document parsed by the server's ObjectMapper (requests and event files). */
    interface Json {
        /** Deepest accepted nesting of arrays and objects; deeper documents are refused with 400 before they are built. */
        @WithName("max-nesting-depth")
        @WithDefault("64")
        int maxNestingDepth();

        /** Longest accepted JSON string value, in characters. */
        @WithName("max-string-length")
        @WithDefault("1048576")
        int maxStringLength();

        /** Longest accepted JSON number, in characters (digits, sign, fraction and exponent). */
        @WithName("max-number-length")
        @WithDefault("1000")
        int maxNumberLength();

        /** Longest accepted property name, in characters. */
        @WithName("max-name-length")
        @WithDefault("1024")
        int maxNameLength();
    }
}
