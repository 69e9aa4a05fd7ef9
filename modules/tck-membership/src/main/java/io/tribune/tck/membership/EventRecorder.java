package io.tribune.tck.membership;

import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that records what it receives and whether two deliveries ever overlapped (the SPI
 * promises one delivery at a time). Thread-safe.
 */
public final class EventRecorder implements MembershipListener {
    private final List<MemberEvent> memberEvents = new ArrayList<>();
    private final List<UserEvent> userEvents = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean overlapped;

    /** An empty recorder. */
    public EventRecorder() {
    }

    @Override
    public void onMemberEvent(MemberEvent event) {
        enter();
        try {
            synchronized (this) {
                memberEvents.add(event);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void onUserEvent(UserEvent event) {
        enter();
        try {
            synchronized (this) {
                userEvents.add(event);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void enter() {
        if (inFlight.incrementAndGet() > 1) {
            overlapped = true;
        }
    }

    /** Member events so far, in delivery order. */
    public synchronized List<MemberEvent> memberEvents() {
        return List.copyOf(memberEvents);
    }

    /** User events so far, in delivery order. */
    public synchronized List<UserEvent> userEvents() {
        return List.copyOf(userEvents);
    }

    /** Member events of one type about one member. */
    public synchronized List<MemberEvent> memberEvents(MemberEvent.Type type, String memberName) {
        return memberEvents.stream().filter(e -> e.type() == type && e.member().name().equals(memberName)).toList();
    }

    /** User events of one name. */
    public synchronized List<UserEvent> userEvents(String name) {
        return userEvents.stream().filter(e -> e.name().equals(name)).toList();
    }

    /** Whether two deliveries ever ran at the same time. */
    public boolean overlapped() {
        return overlapped;
    }
}
