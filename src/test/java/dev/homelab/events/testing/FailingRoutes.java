package dev.homelab.events.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import io.vertx.ext.web.Router;

/**
 * Routes that fail the way a bug would, present in every {@code @QuarkusTest} application (never in the packaged
 * jar): a REST method throwing an unchecked exception whose message carries the request's values, and a Vert.x
 * route that fails outside the REST layer. Outside /api, so no face test lists them.
 */
@Path("/testing/failures")
public class FailingRoutes {

    public static final String VERTX_PATH = "/testing/vertx-failure";

    @GET
    public String fail(@QueryParam("value") String value) {
        throw new IllegalStateException("simulated bug while handling " + value);
    }

    @POST
    public String failWithBody(String body) {
        throw new IllegalStateException("simulated bug while handling " + body);
    }

    @ApplicationScoped
    public static class VertxRoute {
        void register(@Observes Router router) {
            router.get(VERTX_PATH).handler(ctx -> ctx.fail(new IllegalStateException("simulated failure of a Vert.x route")));
        }
    }
}
