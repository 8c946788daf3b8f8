package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spin-then-park hand-off between the task thread and the parse helpers: no lost job, result or wake-up. */
class ParseHelpersTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Waits (bounded) until {@code t} is parked, so the next hand-off must wake it rather than find it spinning. */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, t.getName() + " never parked: " + t.getState());
            Thread.sleep(1);
        }
    }

    @Test
    void manyJobsInARowEachReturnTheirOwnResult() {
        try (ParseHelpers helpers = new ParseHelpers(2, "test-parse")) {
            assertTimeoutPreemptively(LIMIT, () -> {
                for (int i = 0; i < 20_000; i++) {
                    int n = i;
                    ParseHelpers.Job<Integer> a = helpers.submit(0, () -> n * 2);
                    ParseHelpers.Job<Integer> b = helpers.submit(1, () -> n * 3);
                    assertEquals(n * 2, a.await());
                    assertEquals(n * 3, b.await());
                }
            });
        }
    }

    @Test
    void aParkedHelperIsWokenByTheNextJob() throws Exception {
        try (ParseHelpers helpers = new ParseHelpers(1, "test-parse")) {
            AtomicReference<Thread> helperThread = new AtomicReference<>();
            assertTimeoutPreemptively(LIMIT, () -> helpers.submit(0, () -> {
                helperThread.set(Thread.currentThread());
                return null;
            }).await());
            for (int i = 0; i < 3; i++) {
                awaitParked(helperThread.get());
                int n = i;
                assertEquals(n, assertTimeoutPreemptively(LIMIT, () -> helpers.submit(0, () -> n).await()));
            }
        }
    }

    @Test
    void aParkedWaiterIsWokenWhenTheJobEnds() throws Exception {
        try (ParseHelpers helpers = new ParseHelpers(1, "test-parse")) {
            CountDownLatch release = new CountDownLatch(1);
            ParseHelpers.Job<String> job = helpers.submit(0, () -> {
                release.await();
                return "done";
            });
            AtomicReference<Object> got = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.set(job.await());
                } catch (Exception e) {
                    got.set(e);
                }
            }, "test-waiter");
            waiter.start();
            awaitParked(waiter); // past the spin, parked in await()
            release.countDown();
            waiter.join(LIMIT.toMillis());
            assertEquals("done", got.get());
        }
    }

    @Test
    void whatAJobThrowsReachesTheWaiterAsTheCause() {
        try (ParseHelpers helpers = new ParseHelpers(1, "test-parse")) {
            ParseHelpers.Job<Object> job = helpers.submit(0, () -> {
                throw new IOException("disk gone");
            });
            ExecutionException e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(ExecutionException.class, job::await));
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals("disk gone", e.getCause().getMessage());
            assertEquals(7, assertTimeoutPreemptively(LIMIT, () -> helpers.submit(0, () -> 7).await()), "the helper goes on");
        }
    }
}
