package io.flinkhnsw.job.codec;

/**
 * One Kafka record exactly as read: where it came from and its undecoded key and value bytes.
 * Decoding happens later, in a function that can dead-letter what does not decode (invalid UTF-8,
 * oversize messages) instead of failing the source.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** Record key bytes, or null. */
    public byte[] key;
    /** Record value bytes, or null (a tombstone). */
    public byte[] value;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
    }
}
