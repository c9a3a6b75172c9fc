package dev.homelab.events;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;

/**
 * A JSON number kept as the literal it was written as ({@code 1.10}, {@code 1E2}, {@code -0}, {@code 1e400}), so
 * that a payload is stored and served with exactly the value it was given: no rounding, no change of type, never
 * Infinity or NaN (docs/format.md, "Numbers"). Serialized as the same literal. Only numbers that Jackson's own
 * types would print differently are held this way ({@link ExactJson}); the conversions below never build a huge
 * intermediate value, whatever the exponent.
 */
public final class ExactNumber extends Number implements JsonSerializable {

    private static final long serialVersionUID = 1L;

    /** RFC 8259 number grammar. */
    static final Pattern GRAMMAR = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

    /** Integer literals of at most this many characters fit a long. */
    private static final int LONG_SAFE_LENGTH = 18;

    private final String literal;
    private final boolean integral;

    private ExactNumber(String literal) {
        this.literal = literal;
        this.integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
    }

    /**
     * @throws NumberFormatException when {@code literal} is not a JSON number
     */
    public static ExactNumber of(String literal) {
        if (literal == null || !GRAMMAR.matcher(literal).matches()) {
            throw new NumberFormatException("not a JSON number: " + literal);
        }
        return new ExactNumber(literal);
    }

    /** The number exactly as written in JSON. */
    public String literal() {
        return literal;
    }

    /** No fraction and no exponent: {@code -0}, {@code 123456789012345678901234567890}. */
    public boolean isIntegral() {
        return integral;
    }

    /** The value as an integer; for an integral literal only (its length is bounded by the parser's limits). */
    BigInteger bigIntegerOfIntegral() {
        return new BigInteger(literal);
    }

    @Override
    public int intValue() {
        return integral ? (int) longValue() : (int) doubleValue();
    }

    @Override
    public long longValue() {
        if (!integral) {
            return (long) doubleValue(); // saturates, like a cast of the double; no BigDecimal of 1e999999999
        }
        return literal.length() <= LONG_SAFE_LENGTH ? Long.parseLong(literal) : bigIntegerOfIntegral().longValue();
    }

    @Override
    public float floatValue() {
        return (float) doubleValue();
    }

    /** The nearest double: {@code 1e400} gives Infinity here, which is why the literal, not this, is stored. */
    @Override
    public double doubleValue() {
        return Double.parseDouble(literal);
    }

    /**
     * The exact value as a BigDecimal.
     *
     * @throws NumberFormatException when the exponent does not fit an int (such a value has no BigDecimal)
     */
    public BigDecimal decimalValue() {
        return new BigDecimal(literal);
    }

    /** True when the value fits an int exactly or, for a fraction, when its double does (like Jackson's DoubleNode). */
    boolean fitsInt() {
        if (integral) {
            return literal.length() <= LONG_SAFE_LENGTH && longValue() >= Integer.MIN_VALUE
                    && longValue() <= Integer.MAX_VALUE;
        }
        double d = doubleValue();
        return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }

    boolean fitsLong() {
        if (integral) {
            if (literal.length() <= LONG_SAFE_LENGTH) {
                return true;
            }
            return bigIntegerOfIntegral().bitLength() < Long.SIZE;
        }
        double d = doubleValue();
        return d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeNumber(literal);
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        gen.writeNumber(literal); // a scalar carries no type id
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExactNumber n && n.literal.equals(literal);
    }

    @Override
    public int hashCode() {
        return literal.hashCode();
    }

    @Override
    public String toString() {
        return literal;
    }
}
