package io.layotto.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's messages: each carries its run id, sequence number and intended send time in
 * {@link System#nanoTime()} of the harness JVM (which both publishes and receives), padded to the
 * payload size. The receiver needs nothing but the bytes to compute the latency, so sidecar and
 * direct paths are measured the same way; the direct clients put exactly these bytes on the broker.
 */
enum PayloadFormat {

    /**
     * A 20-byte binary header followed by random bytes, published as {@code application/octet-stream}:
     * the sidecar's CloudEvent carries it base64-encoded in {@code data_base64}.
     */
    BINARY("application/octet-stream", Integer.BYTES + Long.BYTES + Long.BYTES) {
        @Override
        byte[] template(int size, RandomGenerator random) {
            checkSize(size);
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            return bytes;
        }

        @Override
        byte[] make(int run, long sequence, long intendedNanos, byte[] template) {
            checkSize(template.length);
            byte[] payload = template.clone();
            ByteBuffer.wrap(payload).putInt(run).putLong(sequence).putLong(intendedNanos);
            return payload;
        }

        @Override
        @Nullable Stamp read(byte[] payload) {
            if (payload.length < minimumSize()) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            return new Stamp(buffer.getInt(), buffer.getLong(), buffer.getLong());
        }
    },

    /**
     * One JSON object of exactly the payload size, published as {@code application/json}, as the
     * Dapr SDKs publish an object: {@code {"run":"<8 hex>","seq":"<16 hex>","sent":"<16 hex>","fill":"<letters>"}}.
     * The sidecar's CloudEvent embeds it as its {@code data}. Fixed positions keep reading it as
     * cheap as the binary header, so the format changes what the sidecar does, not the harness.
     */
    JSON("application/json", Json.HEADER.length + 2) {
        @Override
        byte[] template(int size, RandomGenerator random) {
            checkSize(size);
            byte[] bytes = new byte[size];
            System.arraycopy(Json.HEADER, 0, bytes, 0, Json.HEADER.length);
            for (int i = Json.HEADER.length; i < size - 2; i++) {
                bytes[i] = (byte) Json.LETTERS.charAt(random.nextInt(Json.LETTERS.length()));
            }
            bytes[size - 2] = '"';
            bytes[size - 1] = '}';
            return bytes;
        }

        @Override
        byte[] make(int run, long sequence, long intendedNanos, byte[] template) {
            checkSize(template.length);
            byte[] payload = template.clone();
            Json.put(payload, Json.RUN_AT, Json.HEX.toHexDigits(run));
            Json.put(payload, Json.SEQ_AT, Json.HEX.toHexDigits(sequence));
            Json.put(payload, Json.SENT_AT, Json.HEX.toHexDigits(intendedNanos));
            return payload;
        }

        @Override
        @Nullable Stamp read(byte[] payload) {
            if (payload.length < minimumSize() || payload[payload.length - 2] != '"' || payload[payload.length - 1] != '}') {
                return null;
            }
            String header = new String(payload, 0, Json.HEADER.length, StandardCharsets.ISO_8859_1);
            if (!Json.framingMatches(header)) {
                return null;
            }
            try {
                return new Stamp(HexFormat.fromHexDigits(header, Json.RUN_AT, Json.RUN_AT + 8),
                        HexFormat.fromHexDigitsToLong(header, Json.SEQ_AT, Json.SEQ_AT + 16),
                        HexFormat.fromHexDigitsToLong(header, Json.SENT_AT, Json.SENT_AT + 16));
            } catch (IllegalArgumentException notHex) {
                return null;
            }
        }
    };

    /** What a delivered payload says about itself. */
    record Stamp(int run, long sequence, long intendedNanos) {}

    private final String contentType;
    private final int minimumSize;

    PayloadFormat(String contentType, int minimumSize) {
        this.contentType = contentType;
        this.minimumSize = minimumSize;
    }

    /** The {@code data_content_type} the sidecar is told on publish. */
    String contentType() {
        return contentType;
    }

    int minimumSize() {
        return minimumSize;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A payload of {@code size} bytes whose header {@link #make} overwrites per message. */
    abstract byte[] template(int size, RandomGenerator random);

    /** A copy of {@code template} (its length is the payload size) stamped with run, sequence and send time. */
    abstract byte[] make(int run, long sequence, long intendedNanos, byte[] template);

    /** The stamp of a delivered payload, or null when it does not carry one. */
    abstract @Nullable Stamp read(byte[] payload);

    void checkSize(int size) {
        if (size < minimumSize) {
            throw new IllegalArgumentException(label() + " payloads need at least " + minimumSize + " bytes, got " + size);
        }
    }

    /** Layout of {@link #JSON}: the framing around the three fixed-width hex fields. */
    private static final class Json {
        static final HexFormat HEX = HexFormat.of();
        static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        static final String PREFIX = "{\"run\":\"";
        static final String SEQ = "\",\"seq\":\"";
        static final String SENT = "\",\"sent\":\"";
        static final String FILL = "\",\"fill\":\"";
        static final int RUN_AT = PREFIX.length();
        static final int SEQ_AT = RUN_AT + 8 + SEQ.length();
        static final int SENT_AT = SEQ_AT + 16 + SENT.length();
        static final byte[] HEADER = (PREFIX + "0".repeat(8) + SEQ + "0".repeat(16) + SENT + "0".repeat(16) + FILL)
                .getBytes(StandardCharsets.US_ASCII);

        private Json() {}

        static void put(byte[] payload, int at, String hexDigits) {
            for (int i = 0; i < hexDigits.length(); i++) {
                payload[at + i] = (byte) hexDigits.charAt(i);
            }
        }

        static boolean framingMatches(String header) {
            return header.startsWith(PREFIX) && header.startsWith(SEQ, RUN_AT + 8) && header.startsWith(SENT, SEQ_AT + 16)
                    && header.startsWith(FILL, SENT_AT + 16);
        }
    }
}
