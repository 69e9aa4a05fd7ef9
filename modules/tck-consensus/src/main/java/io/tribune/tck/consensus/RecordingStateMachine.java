package io.tribune.tck.consensus;

import io.tribune.api.consensus.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine for the kit: it records every applied command (as a string) with its index, and
 * answers each command with {@code "<index>:<command>"}, so a test can check order, exactly-once
 * delivery and results. Snapshots serialise the recorded list.
 *
 * <p>Thread-safe for observation from the test thread while the plugin applies.
 */
public final class RecordingStateMachine implements StateMachine {
    private final List<String> commands = new ArrayList<>();
    private final List<Long> indices = new ArrayList<>();
    private long lastIndex;
    private long restoredAt = -1;
    private int restores;
    private String poison;
    private long failedAt = -1;

    /** An empty state machine. */
    public RecordingStateMachine() {
    }

    @Override
    public synchronized byte[] apply(long index, long term, byte[] command) {
        if (index <= lastIndex) {
            throw new IllegalStateException("apply of index " + index + " after index " + lastIndex);
        }
        String c = new String(command, StandardCharsets.UTF_8);
        if (c.equals(poison)) {
            // A state machine that cannot apply a committed command (see failOn).
            failedAt = index;
            notifyAll();
            throw new IllegalStateException("test state machine refuses command '" + c + "' at index " + index);
        }
        lastIndex = index;
        commands.add(c);
        indices.add(index);
        notifyAll();
        return (index + ":" + c).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized StateSnapshot snapshot() {
        List<String> copy = List.copyOf(commands);
        List<Long> idx = List.copyOf(indices);
        long at = lastIndex;
        return out -> write(out, at, copy, idx);
    }

    private static void write(OutputStream os, long at, List<String> cmds, List<Long> idx) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeLong(at);
        out.writeInt(cmds.size());
        for (int i = 0; i < cmds.size(); i++) {
            out.writeLong(idx.get(i));
            out.writeUTF(cmds.get(i));
        }
        out.flush();
    }

    @Override
    public synchronized void restore(long index, long term, InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        in.readLong();
        int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("bad snapshot: " + n + " commands");
        }
        List<String> cmds = new ArrayList<>(n);
        List<Long> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(in.readLong());
            cmds.add(in.readUTF());
        }
        commands.clear();
        commands.addAll(cmds);
        indices.clear();
        indices.addAll(idx);
        lastIndex = index;
        restoredAt = index;
        restores++;
        notifyAll();
    }

    /** The commands applied (or restored), in order. */
    public synchronized List<String> commands() {
        return List.copyOf(commands);
    }

    /** The indices of {@link #commands()}, in the same order. */
    public synchronized List<Long> indices() {
        return List.copyOf(indices);
    }

    /** The highest index applied or restored. */
    public synchronized long lastIndex() {
        return lastIndex;
    }

    /** Index of the last restored snapshot, or -1 when none was restored. */
    public synchronized long restoredAt() {
        return restoredAt;
    }

    /** How many times {@link #restore} ran. */
    public synchronized int restores() {
        return restores;
    }

    /**
     * From now on, {@link #apply} throws when asked to apply {@code command} (and records the
     * index, see {@link #failedAt()}), which the consensus contract makes fatal for the server;
     * every other command is applied as before. Null stops failing.
     */
    public synchronized void failOn(String command) {
        this.poison = command;
    }

    /** The index {@link #apply} last refused (see {@link #failOn}), or -1 when it never did. */
    public synchronized long failedAt() {
        return failedAt;
    }

    /** Encodes a command as the kit sends it. */
    public static byte[] command(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The expected result of {@code command} applied at {@code index}. */
    public static String result(long index, String command) {
        return index + ":" + command;
    }
}
