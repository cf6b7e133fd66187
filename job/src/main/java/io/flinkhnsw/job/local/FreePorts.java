package io.flinkhnsw.job.local;

import org.apache.flink.util.ExceptionUtils;

import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;

/**
 * Loopback ports for the servers {@code local} starts inside its JVM: distinct ports that were free
 * when chosen, and a retry on new ones when a server finds one taken before it binds it (any
 * outgoing connection of the process may take a free port first).
 */
final class FreePorts {
    /** Starts tried before a port taken at bind time counts as a failure. */
    static final int ATTEMPTS = 5;

    /** Something that binds the ports it is given. */
    interface Binder<T> {
        T start(int[] ports) throws Exception;
    }

    private FreePorts() {
    }

    /**
     * {@code binder} started on {@code n} distinct free ports, again on new ones while it fails with a
     * {@link BindException} anywhere in its causes, at most {@link #ATTEMPTS} times; any other failure,
     * or the last, is thrown as it came.
     */
    static <T> T start(int n, Binder<T> binder) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return binder.start(choose(n));
            } catch (Exception e) {
                if (attempt == ATTEMPTS || ExceptionUtils.findThrowable(e, BindException.class).isEmpty()) {
                    throw e;
                }
            }
        }
    }

    /** {@code n} distinct loopback ports that were free a moment ago: the sockets are held until all are chosen. */
    static int[] choose(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) s.close();
            }
        }
    }
}
