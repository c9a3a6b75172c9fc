package dev.homelab.events.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The console on a server as the README starts it: no model, no token. The page is served at its own addresses
 * with its security headers, and Ask explains what to set instead of failing.
 */
@QuarkusTest
class ConsoleWithoutModelTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyConsoleAddressServesThePageWithItsContentSecurityPolicy() {
        String page = given().get("/").then().statusCode(200).contentType(containsString("text/html")).extract().asString();
        assertTrue(page.contains("<script type=\"module\" src=\"/console/app.js\"></script>"), page);
        for (String path : new String[]{ "/", "/timeline", "/status", "/ask", "/problems", "/chains/deploy-882",
                "/chains/a%20chain%3Cwith%3Emarkup", "/events/0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11", "/console/app.js",
                "/console/style.css" }) {
            var r = given().get(path).then().statusCode(200)
                    .header("Content-Security-Policy", containsString("default-src 'self'"))
                    .header("Content-Security-Policy", containsString("script-src 'self';"))
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("Content-Security-Policy", not(containsString("unsafe")))
                    .header("X-Content-Type-Options", equalTo("nosniff"))
                    // revalidated, so a new server version is never mixed with an older cached module
                    .header("Cache-Control", equalTo("no-cache"));
            if (!path.startsWith("/console/")) {
                assertEquals(page, r.extract().asString(), path + " serves the same page");
            }
        }
        // the API keeps its own answers: JSON, and no page
        given().get("/api/store").then().statusCode(200).contentType(containsString("json"))
                .header("Content-Security-Policy", nullValue());
    }

    @Test
    void askWithoutAModelShowsWhatToSetNotAnError() {
        try (Browser browser = Browser.open(base.toString())) {
            browser.go("/ask");
            browser.find("#ask-question").sendKeys("Why did mosquitto go down last night?");
            browser.find("main form button[type=submit]").click();
            browser.waitForText("No model configured");
            WebElement notice = browser.find("section.notice");
            assertTrue(notice.getText().contains("HOMELAB_ASK_BASE_URL"), notice.getText());
            assertTrue(browser.all("main .error").isEmpty(), "a setup note, not an error box");
            browser.assertAccessible("the ask view without a model");
            browser.screenshot("ask-no-model");
        }
    }
}
