package org.dino4j.core.util;

import java.util.concurrent.Semaphore;

/**
 * A fixed pool of worker threads that runs one range task over {@code [0, n)}, split into contiguous chunks.
 *
 * <p>Chunk {@code w} of {@code t} active workers is {@code [n·w/t, n·(w+1)/t)}; the calling thread runs chunk 0.
 * Because the split only depends on {@code n} and the number of active workers, a task that writes per-index
 * results (and leaves any reduction to the caller, in index order) gives bit-identical results for every
 * thread count. Dispatch allocates nothing: the hand-off uses one {@link Semaphore} per worker; callers keep
 * their task as a field (not a capturing lambda per call) to stay allocation-free.
 *
 * <p>Not re-entrant: one {@link #forEach} runs at a time (calls are serialised). Workers are daemon threads;
 * {@link #close()} stops them.
 */
public final class Parallel implements AutoCloseable {

    /** Work on the index range {@code [from, to)}, run by worker {@code worker} (0 = the calling thread). */
    @FunctionalInterface
    public interface RangeTask {
        /**
         * @param worker worker index in {@code [0, threads())}: use it to pick per-worker scratch
         * @param from   first index, inclusive
         * @param to     last index, exclusive
         */
        void run(int worker, int from, int to);
    }

    private final int threads;
    private final Thread[] workers;
    private final Semaphore[] start;
    private final Semaphore done = new Semaphore(0);
    private volatile RangeTask task;
    private volatile int n;
    private volatile int active;
    private volatile Throwable failure;
    private volatile boolean closed;

    /**
     * @param threads number of threads, including the caller, {@code >= 1}; {@code 1} starts no thread
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads];
        this.start = new Semaphore[threads];
        for (int w = 1; w < threads; w++) {
            final int id = w;
            start[w] = new Semaphore(0);
            Thread t = new Thread(() -> loop(id), "dino4j-kernel-" + id);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** @return the configured number of threads (caller included) */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, n)} split into {@code min(threads, ceil(n / grain))} contiguous chunks.
     *
     * @param n     number of indices, {@code >= 0}
     * @param grain minimum indices per chunk worth a thread hand-off, {@code >= 1}
     * @param task  the work; exceptions thrown by any worker are rethrown here (the first one seen)
     */
    public synchronized void forEach(int n, int grain, RangeTask task) {
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        if (n <= 0) {
            return;
        }
        int byGrain = (int) Math.min(threads, Math.max(1L, ((long) n + grain - 1) / Math.max(1, grain)));
        int act = Math.min(byGrain, n);
        if (act == 1) {
            task.run(0, 0, n);
            return;
        }
        this.task = task;
        this.n = n;
        this.active = act;
        this.failure = null;
        for (int w = 1; w < act; w++) {
            start[w].release();
        }
        Throwable own = null;
        try {
            task.run(0, 0, chunkEnd(n, 0, act));
        } catch (Throwable t) {
            own = t;
        }
        done.acquireUninterruptibly(act - 1);
        this.task = null;
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private static int chunkEnd(int n, int w, int act) {
        return (int) ((long) n * (w + 1) / act);
    }

    private void loop(int id) {
        while (true) {
            start[id].acquireUninterruptibly();
            if (closed) {
                return;
            }
            try {
                int nn = n;
                int act = active;
                task.run(id, (int) ((long) nn * id / act), chunkEnd(nn, id, act));
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.release();
            }
        }
    }

    /** Stops the worker threads; later {@link #forEach} calls throw {@link IllegalStateException}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int w = 1; w < threads; w++) {
            start[w].release();
        }
    }
}
