package io.logbunker.connect.source.tail;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that help the task thread read and parse one file's backlog, each running one job at a time that the
 * task thread hands it. Both hand-offs, the job to the helper and its completion back, spin for a moment before
 * parking: a span of a 4 MiB chunk hands off twice, and on the 2-vCPU VMs this project runs on a parked thread took
 * about 150 µs to wake up (measured in the engine: 0.2 s per 20M lines of the task thread waiting for helpers to
 * wake, out of 5 s). The spin is bounded, so a helper with no work parks after {@link #SPIN_NANOS} and costs nothing;
 * past its first microseconds it yields, so that in a busy worker the producer, the sink or the broker get the core
 * instead of the spinner.
 */
final class ParseHelpers implements AutoCloseable {
    /** Longer than the gap between two spans of a backlog (microseconds), shorter than a wake-up is worth saving. */
    static final long SPIN_NANOS = 200_000;
    /** How long a spin only pauses the core before it starts yielding it to other runnable threads. */
    private static final long PAUSE_NANOS = 20_000;

    /** One step of a spin that began at {@code start}: a pause at first, then a yield. */
    private static void spinStep(long start, long now) {
        if (now - start < PAUSE_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** One unit of work for a helper and, once done, its result or what it threw. */
    static final class Job<T> {
        private final Callable<T> work;
        private volatile boolean done;
        private volatile Thread waiter;
        private T result;
        private Throwable failure;

        private Job(Callable<T> work) {
            this.work = work;
        }

        private void run() {
            try {
                result = work.call();
            } catch (Throwable t) {
                failure = t;
            }
            done = true; // publishes result and failure
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** The job's result, waiting for it; what the job threw comes wrapped in an ExecutionException. */
        T await() throws InterruptedException, ExecutionException {
            if (!done) {
                long start = System.nanoTime();
                for (long now = start; !done && now - start < SPIN_NANOS; now = System.nanoTime()) {
                    spinStep(start, now);
                }
                if (!done) {
                    // waiter is written before done is read again, and run() writes done before reading waiter:
                    // one of the two sees the other, so the unpark cannot be missed
                    waiter = Thread.currentThread();
                    while (!done) {
                        LockSupport.park(this);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                }
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return result;
        }
    }

    private final Helper[] helpers;

    /** Starts {@code count} daemon threads named {@code name-1 ... name-count}. */
    ParseHelpers(int count, String name) {
        helpers = new Helper[count];
        for (int i = 0; i < count; i++) {
            helpers[i] = new Helper(name + "-" + (i + 1));
            helpers[i].thread.start();
        }
    }

    /** Hands {@code work} to helper {@code index} (0-based), which must have finished its previous job. */
    <T> Job<T> submit(int index, Callable<T> work) {
        Job<T> job = new Job<>(work);
        Helper h = helpers[index];
        if (!h.next.compareAndSet(null, job)) {
            throw new IllegalStateException("parse helper " + index + " was handed a job before taking the previous one");
        }
        LockSupport.unpark(h.thread);
        return job;
    }

    @Override
    public void close() {
        for (Helper h : helpers) {
            h.closed = true;
            LockSupport.unpark(h.thread);
        }
    }

    private static final class Helper implements Runnable {
        final AtomicReference<Job<?>> next = new AtomicReference<>();
        final Thread thread;
        volatile boolean closed;

        Helper(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (!closed) {
                Job<?> job = next.getAndSet(null);
                if (job == null) {
                    long start = System.nanoTime();
                    for (long now = start; (job = next.getAndSet(null)) == null && !closed && now - start < SPIN_NANOS;
                         now = System.nanoTime()) {
                        spinStep(start, now);
                    }
                    if (job == null) {
                        LockSupport.park(this); // submit() unparks; a spurious return just loops
                        continue;
                    }
                }
                job.run();
            }
        }
    }
}
