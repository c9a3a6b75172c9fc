package dev.homelab.events.agent;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one argument of a tool on its record component. The JSON schema every face publishes and the
 * checks {@link ArgBinder} applies are both derived from it, so they can never disagree.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER })
public @interface ToolArg {
    /** Description for a model: what it means, its default. */
    String value();

    boolean required() default false;

    /** Allowed values of a string argument (becomes a JSON schema {@code enum}). */
    String[] allowed() default {};

    /** The accepted event types of this store (the ten normalized ones and the custom ones) as the enum. */
    boolean eventTypes() default false;

    long minimum() default Long.MIN_VALUE;

    long maximum() default Long.MAX_VALUE;

    /** Longest accepted string in characters (JSON schema {@code maxLength}); 0: not stated. */
    int maxLength() default 0;

    /** JSON schema {@code format} of a string ({@code uuid}, {@code date-time}); empty: none. */
    String format() default "";
}
