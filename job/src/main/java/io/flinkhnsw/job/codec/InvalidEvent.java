package io.flinkhnsw.job.codec;

/** Thrown while decoding an event with the reason it cannot be used; the codec turns it into a dead letter. */
final class InvalidEvent extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidEvent(String reason) {
        super(reason, null, false, false);
    }
}
