package io.tribune.testkit;

import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A membership that hands every call to another one, optional capabilities included: the base of a
 * test double that changes one thing about a real membership (hides its queries or keyring, say).
 * Override what the double changes.
 */
public abstract class ForwardingMembership implements Membership {
    /** The membership every method hands over to. */
    protected final Membership delegate;

    protected ForwardingMembership(Membership delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public Member localMember() {
        return delegate.localMember();
    }

    @Override
    public List<Member> members() {
        return delegate.members();
    }

    @Override
    public CompletableFuture<Integer> join(List<String> seeds) {
        return delegate.join(seeds);
    }

    @Override
    public CompletableFuture<Void> leave(Duration timeout) {
        return delegate.leave(timeout);
    }

    @Override
    public CompletableFuture<Void> forceLeave(String name, boolean prune) {
        return delegate.forceLeave(name, prune);
    }

    @Override
    public CompletableFuture<Void> updateTags(Map<String, String> tags) {
        return delegate.updateTags(tags);
    }

    @Override
    public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
        return delegate.broadcast(name, payload, coalesce);
    }

    @Override
    public Subscription subscribe(MembershipListener listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public Optional<Keyring> keyring() {
        return delegate.keyring();
    }

    @Override
    public Optional<MemberQueries> queries() {
        return delegate.queries();
    }

    @Override
    public Map<String, String> stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
