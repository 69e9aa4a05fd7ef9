package io.tribune.launcher;

import io.tribune.launcher.boot.Entry;
import java.io.PrintWriter;

/** The launcher as the JPMS boot module finds it in the host layer. */
public final class JpmsEntry implements Entry {
    /** Used by {@link java.util.ServiceLoader}. */
    public JpmsEntry() {
    }

    @Override
    public int run(String[] args) {
        return Main.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }
}
