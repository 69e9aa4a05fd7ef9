package io.tribune.state.internal;

import io.tribune.api.Subscription;
import io.tribune.state.Change;
import io.tribune.state.ChangeListener;
import io.tribune.state.WatchTarget;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Fans committed changes out to subscribers: those of the whole feed, and those of one
 * {@link WatchTarget}, which are indexed so that a write reaches only the affected ones. Publishing
 * only enqueues (no callback on the caller's thread); each subscriber drains its own bounded queue on the
 * notification executor, one drain at a time, so a slow subscriber delays only itself and is
 * dropped when it falls {@code maxPending} batches behind.
 */
public final class ChangeFeed {
    private final Executor executor;
    private final int maxPending;
    private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
    /** Subscribers to one target, indexed so a write reaches only the affected ones. */
    private final TargetIndex<Sub> targeted = new TargetIndex<>();

    /** A feed delivering on {@code executor}, with at most {@code maxPending} batches queued per subscriber. */
    public ChangeFeed(Executor executor, int maxPending) {
        this.executor = executor;
        this.maxPending = maxPending;
    }

    /** Adds a subscriber to every change. */
    public Subscription subscribe(ChangeListener listener) {
        Sub s = new Sub(listener, null);
        subs.add(s);
        return s;
    }

    /** Adds a subscriber to the changes that affect {@code target} only. */
    public Subscription subscribe(WatchTarget target, ChangeListener listener) {
        Sub s = new Sub(listener, target);
        synchronized (targeted) {
            targeted.add(target, s);
        }
        return s;
    }

    /** Number of live subscribers (both kinds). */
    public int size() {
        synchronized (targeted) {
            return subs.size() + targeted.size();
        }
    }

    /** Publishes one write's changes. */
    public void publish(long index, List<Change> changes) {
        for (Sub s : subs) {
            s.offer(new Batch(index, changes, false));
        }
        Map<Sub, List<Change>> matched = new LinkedHashMap<>();
        synchronized (targeted) {
            if (targeted.size() == 0) {
                return;
            }
            for (Change c : changes) {
                targeted.forEachMatch(c, sub -> matched.computeIfAbsent(sub, k -> new ArrayList<>(1)).add(c));
            }
        }
        for (Map.Entry<Sub, List<Change>> e : matched.entrySet()) {
            e.getKey().offer(new Batch(index, List.copyOf(e.getValue()), false));
        }
    }

    /** Publishes a restore to every subscriber. */
    public void reset(long index) {
        List<Sub> all = new ArrayList<>(subs);
        synchronized (targeted) {
            all.addAll(targeted.all());
        }
        for (Sub s : all) {
            s.offer(new Batch(index, List.of(), true));
        }
    }

    private void unregister(Sub s) {
        if (s.target == null) {
            subs.remove(s);
        } else {
            synchronized (targeted) {
                targeted.remove(s.target, s);
            }
        }
    }

    private record Batch(long index, List<Change> changes, boolean reset) {
    }

    private final class Sub implements Subscription, Runnable {
        private final ChangeListener listener;
        private final WatchTarget target;
        private final ArrayDeque<Batch> queue = new ArrayDeque<>();
        private boolean scheduled;
        private boolean closed;
        private boolean overflowed;

        Sub(ChangeListener listener, WatchTarget target) {
            this.listener = listener;
            this.target = target;
        }

        void offer(Batch b) {
            boolean schedule;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (queue.size() >= maxPending) {
                    // Too far behind: drop the backlog and tell the subscriber once, so it re-reads.
                    queue.clear();
                    closed = true;
                    overflowed = true;
                    unregister(this);
                } else {
                    queue.add(b);
                }
                schedule = !scheduled;
                scheduled = true;
            }
            if (schedule) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    synchronized (this) {
                        scheduled = false;
                    }
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Batch b;
                boolean notifyOverflow = false;
                synchronized (this) {
                    b = closed ? null : queue.poll();
                    if (b == null) {
                        scheduled = false;
                        if (overflowed) {
                            overflowed = false;
                            notifyOverflow = true;
                        } else {
                            return;
                        }
                    }
                }
                try {
                    if (notifyOverflow) {
                        listener.onOverflow();
                        return;
                    }
                    if (b.reset()) {
                        listener.onReset(b.index());
                    } else {
                        listener.onChanges(b.index(), b.changes());
                    }
                } catch (RuntimeException e) {
                    // A listener that throws is broken; dropping it keeps the others flowing.
                    close();
                    synchronized (this) {
                        scheduled = false;
                    }
                    return;
                }
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                queue.clear();
            }
            unregister(this);
        }
    }
}
