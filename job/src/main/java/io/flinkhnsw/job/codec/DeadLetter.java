package io.flinkhnsw.job.codec;

import java.util.Objects;

/**
 * An event the job refused, with a reason meant for a person, where it came from, and its text
 * (cut at {@link #MAX_RAW_BYTES} of UTF-8; {@code rawBytes} is the original size). Written to the
 * dead-letter topic as {@code {"error":..,"source":{"topic":..,"partition":..,"offset":..},"raw":..}}.
 */
public class DeadLetter {
    public static final int MAX_RAW_BYTES = 64 * 1024;

    public String error;
    public String topic;
    public int partition = -1;
    public long offset = -1;
    /** The partition key (or the record key as text), used as the dead letter's record key; may be null. */
    public String key;
    public String raw;
    public int rawBytes;

    public DeadLetter() {
    }

    public DeadLetter(String error, String topic, int partition, long offset, String key, String raw, int rawBytes) {
        this.error = error;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.raw = raw;
        this.rawBytes = rawBytes;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) return false;
        DeadLetter d = (DeadLetter) o;
        return partition == d.partition && offset == d.offset && rawBytes == d.rawBytes && Objects.equals(error, d.error)
                && Objects.equals(topic, d.topic) && Objects.equals(key, d.key) && Objects.equals(raw, d.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(error, topic, partition, offset);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + error + " @" + topic + "/" + partition + "/" + offset + "}";
    }
}
