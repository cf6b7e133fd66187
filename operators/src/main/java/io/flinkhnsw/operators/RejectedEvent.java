package io.flinkhnsw.operators;

/** An event the index operator refused, with the reason a person can act on. The index is unchanged by it. */
public class RejectedEvent {
    public String reason;
    public IndexEvent event;

    public RejectedEvent() {
    }

    public RejectedEvent(String reason, IndexEvent event) {
        this.reason = reason;
        this.event = event;
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + reason + ": " + event + "}";
    }
}
