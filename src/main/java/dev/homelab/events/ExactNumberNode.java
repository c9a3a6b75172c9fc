package dev.homelab.events;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.NumericNode;

/**
 * A number in a JSON tree that keeps its literal ({@link ExactNumber}) and is written back as that literal. Built by
 * {@link ExactJson}'s tree reader for numbers that Jackson's own nodes would print differently ({@code 1.10},
 * {@code 1E2}, {@code -0}, {@code 1e400}); a number they print identically ({@code 42}, {@code 1.5}) stays an
 * ordinary node, so equality with trees built elsewhere keeps working. Two nodes are equal when their literals are.
 */
public final class ExactNumberNode extends NumericNode {

    private static final long serialVersionUID = 1L;

    private final ExactNumber number;

    public ExactNumberNode(ExactNumber number) {
        this.number = number;
    }

    public ExactNumber number() {
        return number;
    }

    @Override
    public JsonToken asToken() {
        return number.isIntegral() ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
    }

    @Override
    public JsonParser.NumberType numberType() {
        if (!number.isIntegral()) {
            return JsonParser.NumberType.BIG_DECIMAL;
        }
        return number.fitsInt()
                ? JsonParser.NumberType.INT
                : number.fitsLong() ? JsonParser.NumberType.LONG : JsonParser.NumberType.BIG_INTEGER;
    }

    /** The number itself: its {@code toString()} is the literal, which is what a tree-walking parser reports as text. */
    @Override
    public Number numberValue() {
        return number;
    }

    @Override
    public boolean isIntegralNumber() {
        return number.isIntegral();
    }

    @Override
    public boolean isFloatingPointNumber() {
        return !number.isIntegral();
    }

    @Override
    public boolean isBigDecimal() {
        return !number.isIntegral();
    }

    @Override
    public int intValue() {
        return number.intValue();
    }

    @Override
    public long longValue() {
        return number.longValue();
    }

    @Override
    public float floatValue() {
        return number.floatValue();
    }

    @Override
    public double doubleValue() {
        return number.doubleValue();
    }

    @Override
    public BigDecimal decimalValue() {
        return number.decimalValue();
    }

    /** Never computes 10^999999999: values below one are zero, values beyond a double are refused. */
    @Override
    public BigInteger bigIntegerValue() {
        if (number.isIntegral()) {
            return number.bigIntegerOfIntegral();
        }
        double d = number.doubleValue();
        if (Math.abs(d) < 1) {
            return BigInteger.ZERO;
        }
        if (Double.isInfinite(d)) {
            throw new ArithmeticException("the number " + Text.shorten(number.literal(), 40) + " is too large");
        }
        return number.decimalValue().toBigInteger();
    }

    @Override
    public boolean canConvertToInt() {
        return number.fitsInt();
    }

    @Override
    public boolean canConvertToLong() {
        return number.fitsLong();
    }

    @Override
    public String asText() {
        return number.literal();
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeNumber(number.literal());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExactNumberNode n && n.number.equals(number);
    }

    @Override
    public int hashCode() {
        return number.hashCode();
    }
}
