package io.logbunker.connect.source.tail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code files.fence.lock}: a task reads the files of a directory only while it holds an exclusive lock on a lock file
 * in that directory, so two hosts that mount the same log volume (a dead host's directory attached to a survivor
 * while the "dead" host still runs) never both read it. The lock is the kernel's (fcntl): it is released when the
 * holding process dies, however it dies, and it holds across mount namespaces, bind mounts and NFSv4.
 *
 * <p>A directory whose lock another process holds is left alone and tried again at every scan; the task takes it
 * over when the holder is gone. Locks held in this JVM are tracked here as well, because the JVM itself cannot lock
 * one file twice and closing any channel of a locked file would release the JVM's lock on it.
 */
final class DirectoryFence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectoryFence.class);
    /** Lock files held by any task of this JVM (real paths), with the holding fence. */
    private static final Map<Path, DirectoryFence> HELD_IN_JVM = new ConcurrentHashMap<>();

    private final String lockName;
    private final Map<Path, FileChannel> held = new HashMap<>();
    private final Set<Path> fenced = new HashSet<>();

    /** @param lockName the lock file's name; empty for no fencing */
    DirectoryFence(String lockName) {
        this.lockName = lockName == null ? "" : lockName;
    }

    boolean enabled() {
        return !lockName.isEmpty();
    }

    /** Whether {@code file} is this fence's own lock file (never read as a log). */
    boolean isLockFile(Path file) {
        return enabled() && file.getFileName() != null && file.getFileName().toString().equals(lockName);
    }

    /**
     * Whether this task may read the files of {@code dir}: it holds the directory's lock, or takes it now.
     *
     * @throws IOException when the lock file cannot be created or locked, e.g. the directory is not writable
     */
    boolean allows(Path dir) throws IOException {
        if (!enabled()) {
            return true;
        }
        Path real = dir.toRealPath();
        if (held.containsKey(real)) {
            return true;
        }
        Path lockFile = real.resolve(lockName);
        DirectoryFence holder = HELD_IN_JVM.putIfAbsent(lockFile, this);
        if (holder != null && holder != this) {
            return refused(real, "another task of this worker");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD_IN_JVM.remove(lockFile, this);
                return refused(real, "another process (another host, or a worker of another Connect cluster)");
            }
        } catch (OverlappingFileLockException e) {
            HELD_IN_JVM.remove(lockFile, this);
            return refused(real, "this worker");
        } catch (IOException e) {
            if (channel != null) {
                channel.close();
            }
            HELD_IN_JVM.remove(lockFile, this);
            throw new IOException("files.fence.lock: cannot lock " + lockFile + " (" + e + "). The worker's user needs write access "
                    + "to the log directory to create it; grant it, or unset files.fence.lock", e);
        }
        held.put(real, channel);
        if (fenced.remove(real)) {
            log.info("{} is no longer locked by another reader: this task took its lock {} and reads its files", real, lockFile);
        } else {
            log.info("Holding the lock {}: this task alone reads {}", lockFile, real);
        }
        return true;
    }

    private boolean refused(Path dir, String holder) {
        if (fenced.add(dir)) {
            log.warn("{} is locked by {} ({} is held): its files are not read here, so two readers never count them both. "
                    + "If a host was meant to hand this directory over, stop its worker; this task takes the directory over at "
                    + "the next scan after the lock is released.", dir, holder, dir.resolve(lockName));
        }
        return false;
    }

    /** Directories this task found and may not read now. */
    int fencedDirectories() {
        return fenced.size();
    }

    @Override
    public void close() {
        for (Map.Entry<Path, FileChannel> e : held.entrySet()) {
            HELD_IN_JVM.remove(e.getKey().resolve(lockName), this);
            try {
                e.getValue().close(); // releases the lock
            } catch (IOException ignored) {
                // the process's exit releases it as well
            }
        }
        held.clear();
        fenced.clear();
    }
}
