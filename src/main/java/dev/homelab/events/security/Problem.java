package dev.homelab.events.security;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.homelab.events.FieldError;

/**
 * An RFC 9457 problem detail, with the field errors of a rejected input: the one shape of every error body,
 * written by the HTTP guard for a refused request and by the REST exception mappers for a failed one.
 *
 * @param incidentId for an unexpected server error only: the id under which the server logged it (extension member
 *                   {@code incident_id}), so an operator can find the one log line a user quotes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors,
        @JsonProperty("incident_id") String incidentId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null);
    }
}
