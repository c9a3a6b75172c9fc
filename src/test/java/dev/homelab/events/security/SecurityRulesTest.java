package dev.homelab.events.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The pure rules behind the HTTP guard, without a server. */
class SecurityRulesTest {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void tokenComparisonAcceptsOnlyTheExactToken() {
        BearerToken t = BearerToken.of("s3cret-0123456789abcdef", "test");
        assertEquals(BearerToken.Check.VALID, t.check("Bearer s3cret-0123456789abcdef"));
        assertEquals(BearerToken.Check.VALID, t.check("bearer s3cret-0123456789abcdef "));
        assertEquals(BearerToken.Check.WRONG, t.check("Bearer s3cret-0123456789abcde"));
        assertEquals(BearerToken.Check.WRONG, t.check("Bearer s3cret-0123456789abcdefg"));
        assertEquals(BearerToken.Check.MISSING, t.check("Bearer "));
        assertEquals(BearerToken.Check.WRONG, t.check("Bearer x"));
        assertEquals(BearerToken.Check.MISSING, t.check(null));
        assertEquals(BearerToken.Check.MISSING, t.check("Basic czNjcmV0"));
        assertFalse(t.toString().contains("s3cret"), "toString never shows the token");
    }

    @Test
    void badTokensAreRefusedWithAMessageThatDoesNotEchoThem() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BearerToken.of("two words", "HOMELAB_EVENTS_TOKEN"));
        assertFalse(e.getMessage().contains("two words"));
        assertThrows(IllegalStateException.class, () -> BearerToken.of("", "HOMELAB_EVENTS_TOKEN"));
    }

    @Test
    void refusesToStartBeyondLoopbackWithoutToken() {
        String msg = SecurityProducer.refusal(true, "0.0.0.0", false);
        assertTrue(msg.contains("HOMELAB_EVENTS_TOKEN") && msg.contains("QUARKUS_HTTP_HOST=127.0.0.1"), msg);
        assertTrue(SecurityProducer.refusal(true, "192.168.1.20", false) != null);
        assertTrue(SecurityProducer.refusal(true, "::", false) != null);
        assertNull(SecurityProducer.refusal(true, "0.0.0.0", true));
        assertNull(SecurityProducer.refusal(true, "127.0.0.1", false));
        assertNull(SecurityProducer.refusal(true, "localhost", false));
        assertNull(SecurityProducer.refusal(true, "::1", false));
        assertNull(SecurityProducer.refusal(false, "0.0.0.0", false), "no HTTP (stdio MCP): nothing to protect");
    }

    @Test
    void hostPolicyOnLoopback() {
        HostPolicy p = new HostPolicy("127.0.0.1", List.of(), List.of());
        for (String ok : List.of("localhost", "localhost:8080", "LOCALHOST:1", "127.0.0.1:8080", "127.1.2.3", "[::1]:8080",
                "[::1]",
                "localhost.", "api.localhost:8080")) {
            assertTrue(p.hostAllowed(ok), ok);
        }
        for (String bad : List.of("evil.example.com", "evil.example.com:8080", "127.0.0.1.evil.example.com",
                "localhost.evil.com",
                "192.168.1.20:8080", "localhost:80:80", "::1", "[::1", "local host", "user@localhost", "localhost:abc",
                "0.0.0.0")) {
            assertFalse(p.hostAllowed(bad), bad);
        }
        assertTrue(p.originAllowed(null));
        assertTrue(p.originAllowed("http://localhost:3000"));
        assertTrue(p.originAllowed("https://127.0.0.1"));
        assertFalse(p.originAllowed("null"));
        assertFalse(p.originAllowed(""));
        assertFalse(p.originAllowed("http://evil.example.com"));
        assertFalse(p.originAllowed("ftp://localhost"));
        assertFalse(p.originAllowed("http://localhost@evil.example.com"));
    }

    /** The policy remembers the last allowed Host value (the write path's hot check): that never lets another through. */
    @Test
    void hostPolicyRemembersOnlyWhatItAllowed() {
        HostPolicy p = new HostPolicy("127.0.0.1", List.of(), List.of());
        for (int i = 0; i < 3; i++) {
            assertTrue(p.hostAllowed("localhost:8080"));
            assertFalse(p.hostAllowed("evil.example.com:8080"));
            assertFalse(p.hostAllowed("localhost:8080x"), "a port is digits only");
            assertFalse(p.hostAllowed("localhost:123456"), "a port has at most five digits");
            assertTrue(p.hostAllowed("[::1]:8080"));
            assertFalse(p.hostAllowed("[::1]8080"), "after the bracket only :port may follow");
            assertFalse(p.hostAllowed("[::1]:80a"));
            assertFalse(p.hostAllowed("local\\host"));
        }
    }

    @Test
    void hostPolicyBeyondLoopbackUsesTheAllowList() {
        HostPolicy p = new HostPolicy("0.0.0.0", List.of("nas.lan", "192.168.1.20"), List.of("https://dash.example.org:8443/"));
        assertTrue(p.hostAllowed("nas.lan:8080"));
        assertTrue(p.hostAllowed("NAS.LAN"));
        assertTrue(p.hostAllowed("192.168.1.20:8080"));
        assertTrue(p.hostAllowed("localhost:8080"));
        assertFalse(p.hostAllowed("0.0.0.0:8080"), "the wildcard bind address is not a name");
        assertFalse(p.hostAllowed("evil.example.com"));
        assertTrue(p.originAllowed("http://nas.lan:8080"));
        assertTrue(p.originAllowed("https://dash.example.org:8443"));
        assertFalse(p.originAllowed("https://dash.example.org"), "an allowed origin is exact: scheme, host and port");
        HostPolicy specific = new HostPolicy("192.168.1.30", List.of(), List.of());
        assertTrue(specific.hostAllowed("192.168.1.30:8080"), "a specific bind address is one of our names");
    }

    @Test
    void writeClassificationFailsClosed() throws Exception {
        WriteClassifier w = new WriteClassifier(java.util.Set.of("list_events", "get_causal_chain"));
        assertFalse(w.isWrite("GET", "/api/events"));
        assertTrue(w.isWrite("POST", "/api/events"));
        assertTrue(w.isWrite("DELETE", "/api/events/x"));
        assertTrue(w.isWrite("POST", "/api/store/demo"));
        assertTrue(w.isWrite("POST", "/api/sync/now"));
        assertTrue(w.isWrite("POST", "/api/tools/emit_event"));
        assertTrue(w.isWrite("POST", "/api/tools/something_new"));
        assertTrue(w.isWrite("POST", "/api/tools/list_events/x"));
        assertFalse(w.isWrite("POST", "/api/tools/list_events"));
        assertFalse(w.isWrite("POST", "/api/tools/get_causal_chain/"));

    }
}
