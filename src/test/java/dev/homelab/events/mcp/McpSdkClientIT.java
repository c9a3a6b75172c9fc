package dev.homelab.events.mcp;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import dev.homelab.events.agent.SeedChains;

/**
 * An independent MCP client against the packaged server: the official TypeScript SDK (pinned in
 * src/test/mcp-client/package-lock.json, installed with npm ci under target/) connects over Streamable HTTP,
 * lists the tools and calls list_events and get_causal_chain. Needs node and npm on the PATH.
 */
@QuarkusIntegrationTest
class McpSdkClientIT {

    @Test
    void officialTypeScriptSdkListsAndCallsToolsOverStreamableHttp() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (Map<String, Object> event : SeedChains.asToolArguments()) {
            given().contentType(ContentType.JSON).body(mapper.writeValueAsString(event)).post("/api/events")
                    .then().statusCode(201);
        }
        Path dir = Path.of("target", "mcp-client");
        Files.createDirectories(dir);
        for (String f : List.of("package.json", "package-lock.json", "check.mjs")) {
            Files.copy(Path.of("src", "test", "mcp-client", f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(dir.resolve("node_modules/@modelcontextprotocol/sdk/package.json"))) {
            Result install = run(dir, 300, "npm", "ci", "--no-audit", "--no-fund");
            assertEquals(0, install.exit, "npm ci failed:\n" + install.output);
        }
        Result check = run(dir, 120, "node", "check.mjs", "http://127.0.0.1:" + RestAssured.port + "/mcp");
        assertEquals(0, check.exit, "the SDK client check failed:\n" + check.output);
        assertTrue(check.output.contains("list_events and get_causal_chain verified"), check.output);
    }

    record Result(int exit, String output) {
    }

    static Result run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is not installed or not on the PATH; this test needs Node.js 18+ "
                    + "and npm (Debian: apt-get install nodejs npm)", e);
        }
        // drain output while waiting, so a chatty process never blocks on a full pipe
        byte[][] out = new byte[1][];
        Thread drain = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        drain.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
        }
        drain.join(10_000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
