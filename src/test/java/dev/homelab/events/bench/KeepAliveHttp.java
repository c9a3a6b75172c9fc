package dev.homelab.events.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 client over one keep-alive connection, for the write and read benchmarks: one request in
 * flight per connection, so N writers keep N requests in flight. It costs the benchmark's JVM far less CPU than
 * {@code java.net.http.HttpClient} (no selector thread, no futures), which matters when the client shares two
 * cores with the server it measures; what it leaves out (redirects, TLS, pipelining) the benchmark never needs.
 *
 * <p>
 * Not thread-safe: one per writer thread.
 */
final class KeepAliveHttp implements AutoCloseable {

    /** A response: status, headers (names in lower case) and body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAliveHttp(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** POSTs {@code body}; {@code headers} are extra request headers ("Name: value" lines, without CRLF). */
    Response post(String path, String contentType, byte[] body, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append(':').append(port).append("\r\nContent-Type: ").append(contentType).append("\r\nContent-Length: ")
                .append(body.length).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        return send(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    /** GETs {@code path} (with its query string, already encoded). */
    Response get(String path) throws IOException {
        String head = "GET " + path + " HTTP/1.1\r\nHost: " + host + ':' + port + "\r\n\r\n";
        return send(head.getBytes(StandardCharsets.ISO_8859_1), new byte[0]);
    }

    private Response send(byte[] h, byte[] body) throws IOException {
        for (int attempt = 0;; attempt++) {
            boolean fresh = connect();
            try {
                out.write(h);
                out.write(body);
                out.flush();
                Response r = read();
                if ("close".equalsIgnoreCase(r.headers().get("connection"))) {
                    close();
                }
                return r;
            } catch (IOException e) {
                close();
                // a keep-alive connection the server closed while idle: retry once on a new one
                if (fresh || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    private boolean connect() throws IOException {
        if (socket != null) {
            return false;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        out = s.getOutputStream();
        return true;
    }

    private Response read() throws IOException {
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String l; !(l = line()).isEmpty();) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n; (n = Integer.parseInt(line().split(";", 2)[0].trim(), 16)) > 0;) {
                b.write(in.readNBytes(n));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = b.toByteArray();
        } else {
            body = in.readAllBytes();
            headers.put("connection", "close");
        }
        return new Response(code, headers, body);
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n';) {
            if (c < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }
}
