package dev.homelab.events.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * DNS-rebinding protection: which Host and Origin headers /api and /mcp accept. A rebinding attack makes a
 * browser send the attacker's name (Host: evil.example.com, Origin: http://evil.example.com) to this
 * server's address, so every name that is not known to be ours is refused, whatever address it reached.
 *
 * <p>
 * Allowed hosts: the loopback names (localhost, 127.0.0.0/8, ::1), the bind address when it is a specific
 * address, and the configured list. An Origin is allowed when its host is an allowed host (any port, http or
 * https) or it is listed exactly in the allowed origins. No Origin (curl, agents, server-to-server) is
 * allowed; the opaque origin {@code null} (sandboxed frames, file: pages) is not. Immutable and thread-safe.
 */
public final class HostPolicy {

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    private final Set<String> hosts = new HashSet<>();
    private final Set<String> origins = new HashSet<>();
    /**
     * The last Host header value found allowed: a client sends the same one on every request, and judging it
     * again (two regular expressions) was a visible share of a write's CPU (docs/performance.md).
     */
    private volatile String lastAllowedHost;

    public HostPolicy(String bindHost, List<String> allowedHosts, List<String> allowedOrigins) {
        String bind = normalizeHost(bindHost);
        if (bind != null && !isWildcard(bind)) {
            hosts.add(bind);
        }
        for (String h : allowedHosts) {
            String n = normalizeHost(h);
            if (n != null) {
                hosts.add(n);
            }
        }
        for (String o : allowedOrigins) {
            if (o != null && !o.isBlank()) {
                origins.add(normalizeOrigin(o.strip()));
            }
        }
    }

    /** True when a server bound to this address is reachable from loopback only. */
    public static boolean isLoopbackBind(String bindHost) {
        String h = normalizeHost(bindHost);
        return h != null && isLoopbackName(h);
    }

    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0") || host.equals("*");
    }

    static boolean isLoopbackName(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.equals("::1")
                || host.equals("0:0:0:0:0:0:0:1") || IPV4_LOOPBACK.matcher(host).matches();
    }

    /** A Host header value ({@code name[:port]}, {@code [v6]:port}); null or blank (HTTP/1.0 clients) is allowed. */
    public boolean hostAllowed(String hostHeader) {
        if (hostHeader == null || hostHeader.equals(lastAllowedHost)) {
            return true;
        }
        if (hostHeader.isBlank()) {
            return true;
        }
        String host = hostOfAuthority(hostHeader.strip());
        boolean allowed = host != null && nameAllowed(host);
        if (allowed) {
            lastAllowedHost = hostHeader;
        }
        return allowed;
    }

    /**
     * The authority an absolute-form request target names ({@code GET http://host:port/path HTTP/1.1}, RFC 9112
     * section 3.2.2), which a server must use instead of the Host header; the empty string when the target is
     * absolute but its authority is missing or carries user info; null for the usual origin form ({@code /path})
     * and for {@code *}.
     */
    public static String absoluteFormAuthority(String target) {
        if (target == null || target.isEmpty() || target.charAt(0) == '/' || target.equals("*")) {
            return null;
        }
        int scheme = target.indexOf("://");
        if (scheme <= 0) {
            return "";
        }
        int end = scheme + 3;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        String authority = target.substring(scheme + 3, end);
        return authority.indexOf('@') >= 0 ? "" : authority;
    }

    /** An Origin header value; absent is allowed (not a browser, or a same-origin GET). */
    public boolean originAllowed(String origin) {
        if (origin == null) {
            return true;
        }
        String o = origin.strip();
        if (o.isEmpty() || o.equalsIgnoreCase("null")) {
            return false;
        }
        if (origins.contains(normalizeOrigin(o))) {
            return true;
        }
        try {
            URI uri = new URI(o);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                return false;
            }
            String host = normalizeHost(uri.getHost());
            return host != null && nameAllowed(host);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private boolean nameAllowed(String host) {
        return isLoopbackName(host) || hosts.contains(host);
    }

    /** Lower-cased host without brackets or a trailing dot; null when empty. */
    static String normalizeHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.isEmpty() ? null : h;
    }

    /** The host part of {@code host[:port]} or {@code [ipv6][:port]}; null when malformed. */
    static String hostOfAuthority(String authority) {
        String a = authority;
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            if (end < 0) {
                return null;
            }
            String rest = a.substring(end + 1);
            if (!rest.isEmpty() && !(rest.charAt(0) == ':' && PORT.matcher(rest).region(1, rest.length()).matches())) {
                return null;
            }
            return normalizeHost(a.substring(1, end));
        }
        int colon = a.indexOf(':');
        if (colon >= 0) {
            if (a.indexOf(':', colon + 1) >= 0) {
                return null; // an unbracketed IPv6 literal is not a valid Host header
            }
            if (!PORT.matcher(a).region(colon + 1, a.length()).matches()) {
                return null;
            }
            a = a.substring(0, colon);
        }
        if (a.isEmpty()) {
            return null;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '/' || c == '@' || c == '\\') {
                return null;
            }
        }
        return normalizeHost(a);
    }

    private static String normalizeOrigin(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
