package kvs.server.durability;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import kvs.core.VersionedStore;
import kvs.core.replication.MalformedMessageException;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateChunk;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;
import kvs.core.replication.StreamMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's state on disk ({@code --data-dir}): a snapshot of the whole state plus a write-ahead
 * log of the writes entries applied after it. Recovery is "the snapshot's state, then every logged
 * entry applied in order".
 *
 * <h2>Files in the data directory</h2>
 *
 * Both files are made of <em>records</em>: {@code [int32 length][int32 CRC32 of payload][payload]},
 * big-endian, with {@code 1 <= length <= 64 MiB}.
 *
 * <ul>
 *   <li>{@value #LOG_FILE}: the write-ahead log, nothing but records; each payload is {@link
 *       MessageCodec#encode} of one applied {@link ReplicationMessage} (the stream's JSON), in
 *       apply order. On recovery the first record that is incomplete, has an impossible length,
 *       fails its CRC or does not decode to a writes entry ends the log: the file is truncated to
 *       the records before it (and forced), with a WARN giving the file, the offset and how many
 *       bytes were dropped. A torn tail is what a crash in the middle of an append leaves.
 *   <li>{@value #SNAPSHOT_FILE}: the 4 ASCII bytes {@code KVS1}, then one record per chunk of
 *       {@code StateChunk.split("snapshot", "disk", image, 5000)} in index order, each payload
 *       {@link MessageCodec#encodeChunk}; nothing after the last chunk. It is written as {@value
 *       #SNAPSHOT_TMP} (fsync), renamed over {@value #SNAPSHOT_FILE} (atomic) and the directory is
 *       fsynced, so a torn snapshot cannot exist: a snapshot that does not read back whole (magic,
 *       CRC, decoding, chunk set, digest) is reported as an {@link IOException} for the operator,
 *       never ignored. A left-over {@value #SNAPSHOT_TMP} (a crash while writing one) is deleted.
 * </ul>
 *
 * <h2>Crash safety of {@link #writeSnapshot}</h2>
 *
 * The steps are: write and fsync the temporary file; rename it over the snapshot; fsync the
 * directory; only then delete the old log and create an empty one (fsync the directory again). A
 * crash before the rename leaves the old snapshot and the old log; a crash after it leaves the new
 * snapshot and (maybe) the old log, whose entries are all already in the snapshot: replaying them
 * is harmless because the state machine ignores an entry whose (origin, run, sequence) its
 * duplicate filter (part of the snapshot) has seen, without moving its position.
 *
 * <h2>Threads</h2>
 *
 * {@link #recover}, {@link #append} and {@link #writeSnapshot} are meant for stream tasks (one at a
 * time); every method is safe to call from any thread. An append only writes the record: the thread
 * that applies the stream (the broker connection's own) never waits for the disk. With {@link
 * FsyncPolicy#BATCH} a daemon thread forces the log and then runs the appended entries' {@code
 * whenDurable} actions, in append order: everything appended while one fsync runs shares the next
 * one (a group commit), so a slow disk makes answers later and fsyncs fewer, not the stream slower.
 * With {@link FsyncPolicy#INTERVAL} a daemon thread fsyncs the log every interval when something
 * was appended. Plain file streams are used (not interruptible channels), so an interrupted thread
 * does not close the log.
 */
public final class DurableState implements AutoCloseable {
  /** The write-ahead log's file name. */
  public static final String LOG_FILE = "wal.log";

  /** The snapshot's file name. */
  public static final String SNAPSHOT_FILE = "snapshot.bin";

  /** The name a snapshot is written under before it is renamed into place. */
  public static final String SNAPSHOT_TMP = "snapshot.bin.tmp";

  static final int KEYS_PER_CHUNK = 5000;

  private static final byte[] SNAPSHOT_MAGIC = "KVS1".getBytes(StandardCharsets.US_ASCII);
  private static final Logger log = LoggerFactory.getLogger(DurableState.class);

  private final Path dir;
  private final Path logPath;
  private final Path snapshotPath;
  private final Path tmpPath;
  private final FsyncPolicy policy;
  private final MessageCodec codec = new MessageCodec();
  private final ScheduledExecutorService syncer; // INTERVAL
  private final Thread committer; // BATCH

  /**
   * Test hook: runs in {@link #writeSnapshot} after the snapshot is durable, before the log goes.
   */
  Runnable afterSnapshotDurable = () -> {};

  /** How the log is forced to the disk; a test puts a slow or failing disk here. */
  interface Force {
    void force(RandomAccessFile file) throws IOException;
  }

  volatile Force force = file -> file.getFD().sync();

  private volatile Consumer<Duration> fsyncTimes = took -> {};

  /** Where the time of each fsync of the log goes (metrics). */
  public void timeFsyncsWith(Consumer<Duration> fsyncTimes) {
    this.fsyncTimes = fsyncTimes;
  }

  private void timedForce(RandomAccessFile file) throws IOException {
    long start = System.nanoTime();
    force.force(file);
    fsyncTimes.accept(Duration.ofNanos(System.nanoTime() - start));
  }

  // Guarded by this.
  private RandomAccessFile wal; // null until recover() or writeSnapshot(), and after close()
  private long walEnd; // where the next record goes: the end of the last whole record
  private long entriesSinceSnapshot;
  private boolean dirty; // appended but not fsynced
  private boolean closed;
  private boolean started; // recover() or writeSnapshot() ran
  private IOException broken; // a failed append that could not be taken back, or a failed fsync
  private List<Runnable> unforced = new ArrayList<>(); // BATCH: appended, waiting for an fsync
  private boolean forcing; // BATCH: an fsync of wal runs (outside the lock)

  private DurableState(Path dir, FsyncPolicy policy, Duration fsyncInterval) {
    this.dir = dir;
    this.logPath = dir.resolve(LOG_FILE);
    this.snapshotPath = dir.resolve(SNAPSHOT_FILE);
    this.tmpPath = dir.resolve(SNAPSHOT_TMP);
    this.policy = policy;
    if (policy == FsyncPolicy.INTERVAL) {
      syncer =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "kvs-wal-fsync");
                thread.setDaemon(true);
                return thread;
              });
      long millis = Math.max(1, fsyncInterval.toMillis());
      syncer.scheduleWithFixedDelay(this::syncIfDirty, millis, millis, TimeUnit.MILLISECONDS);
    } else {
      syncer = null;
    }
    if (policy == FsyncPolicy.BATCH) {
      committer = new Thread(this::groupCommits, "kvs-wal-fsync");
      committer.setDaemon(true);
      committer.start();
    } else {
      committer = null;
    }
  }

  /**
   * Opens (creating) {@code dir}; does not read it yet (see {@link #recover}).
   *
   * @param fsyncInterval used by {@link FsyncPolicy#INTERVAL} only (must then be positive); may be
   *     null otherwise
   */
  public static DurableState open(Path dir, FsyncPolicy policy, Duration fsyncInterval)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(policy, "policy");
    if (policy == FsyncPolicy.INTERVAL
        && (fsyncInterval == null || fsyncInterval.isNegative() || fsyncInterval.isZero())) {
      throw new IllegalArgumentException(
          "the INTERVAL fsync policy needs a positive interval: " + fsyncInterval);
    }
    Files.createDirectories(dir);
    if (!Files.isWritable(dir)) {
      throw new IOException("the data directory is not writable: " + dir);
    }
    return new DurableState(dir, policy, fsyncInterval);
  }

  /**
   * Reads the snapshot (if any) and the log after it, truncating a torn or corrupt log tail (WARN,
   * never an exception); opens the log for {@link #append}. Call once, before any append.
   *
   * @return {@code StateMachine.of(snapshot)} (an empty state machine without a snapshot) with
   *     every logged entry applied in order
   * @throws IOException on an unreadable snapshot (corrupt: the operator must act) or an I/O error
   */
  public synchronized StateMachine recover() throws IOException {
    return recover(StateMachine.DEFAULT_RETRY_WINDOW);
  }

  /** {@link #recover()}, remembering retried request ids for {@code retryWindow} of stream time. */
  public synchronized StateMachine recover(Duration retryWindow) throws IOException {
    ensureOpen();
    if (started) {
      throw new IllegalStateException("already recovered (or replaced by a snapshot)");
    }
    if (Files.deleteIfExists(tmpPath)) {
      log.info("Deleted {}, a snapshot that was being written when the server stopped", tmpPath);
    }
    StateMachine machine;
    if (Files.exists(snapshotPath)) {
      StateImage image = readSnapshot();
      try {
        machine = StateMachine.of(image, retryWindow, StateMachine.DEFAULT_RETRY_CAP);
      } catch (IllegalArgumentException e) {
        throw corruptSnapshot(e.getMessage());
      }
    } else {
      machine = new StateMachine(new VersionedStore(), retryWindow, StateMachine.DEFAULT_RETRY_CAP);
    }
    long snapshotPosition = machine.position();

    long goodEnd = 0;
    long entries = 0;
    String torn = null;
    if (Files.exists(logPath)) {
      try (InputStream in =
          new BufferedInputStream(new FileInputStream(logPath.toFile()), 1 << 16)) {
        Records.Reader reader = new Records.Reader(in, 0);
        while (true) {
          long start = reader.offset();
          byte[] payload;
          try {
            payload = reader.next();
          } catch (Records.TornRecordException e) {
            torn = e.getMessage();
            break;
          }
          if (payload == null) {
            break;
          }
          ReplicationMessage entry = decodeEntry(payload);
          if (entry == null) {
            torn = "a record that is not a writes entry";
            goodEnd = start;
            break;
          }
          machine.apply(entry);
          entries++;
          goodEnd = reader.offset();
        }
      }
    }

    boolean created = !Files.exists(logPath);
    RandomAccessFile file = new RandomAccessFile(logPath.toFile(), "rw");
    try {
      long size = file.length();
      if (torn != null || size != goodEnd) {
        log.warn(
            "{}: torn or corrupt record at offset {} ({}); truncating the log there, dropping {} bytes",
            logPath,
            goodEnd,
            torn == null ? "unexpected end" : torn,
            size - goodEnd);
        file.setLength(goodEnd);
        file.getFD().sync();
      }
      file.seek(goodEnd);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    if (created) {
      fsyncDirectory();
    }
    wal = file;
    walEnd = goodEnd;
    entriesSinceSnapshot = entries;
    started = true;
    log.info(
        "Recovered position {} from {} (snapshot at position {} + {} logged entries)",
        machine.position(),
        dir,
        snapshotPosition,
        entries);
    return machine;
  }

  /**
   * Appends one applied writes entry to the log, without waiting for the disk; call from the apply
   * thread after applying it. {@code whenDurable} (which answers its client) runs once the entry is
   * as durable as the policy promises: with BATCH after the fsync that covers it, on the fsync
   * thread, in append order, and never if that fsync fails; otherwise at once, on this thread.
   * Needs {@link #recover} (or {@link #writeSnapshot}) first.
   *
   * @throws IOException when the entry is not in the log ({@code whenDurable} does not run)
   */
  public void append(ReplicationMessage entry, Runnable whenDurable) throws IOException {
    if (write(entry, whenDurable)) {
      whenDurable.run();
    }
  }

  // Writes the record; answers whether it is already as durable as the policy promises.
  private synchronized boolean write(ReplicationMessage entry, Runnable whenDurable)
      throws IOException {
    ensureOpen();
    if (!started) {
      throw new IllegalStateException("recover() (or writeSnapshot) must come before append()");
    }
    if (wal == null) {
      throw new IOException(
          "no log to append to: starting a new one after the last snapshot failed");
    }
    if (broken != null) {
      throw new IOException(
          "the log is unusable since an earlier write or fsync failed: " + broken.getMessage(),
          broken);
    }
    ByteBuffer record = Records.frame(codec.encode(entry));
    try {
      wal.write(record.array(), 0, record.limit());
    } catch (IOException e) {
      // Take back a partial record, so that the next append does not follow garbage.
      try {
        wal.setLength(walEnd);
        wal.seek(walEnd);
      } catch (IOException again) {
        e.addSuppressed(again);
        broken = e;
      }
      throw e;
    }
    walEnd += record.limit();
    entriesSinceSnapshot++;
    if (policy != FsyncPolicy.BATCH) {
      dirty = true;
      return true;
    }
    unforced.add(whenDurable);
    notifyAll(); // the fsync thread
    return false;
  }

  /**
   * The BATCH policy's thread: forces the log for everything appended so far, then runs those
   * entries' actions; what is appended meanwhile waits for the next fsync.
   */
  private void groupCommits() {
    while (true) {
      List<Runnable> batch;
      RandomAccessFile file;
      synchronized (this) {
        while (unforced.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (unforced.isEmpty() || wal == null) {
          return; // closed with nothing waiting, or closed under us (close() forces itself)
        }
        batch = unforced;
        unforced = new ArrayList<>();
        file = wal;
        forcing = true;
      }
      IOException failure = null;
      try {
        timedForce(file);
      } catch (IOException e) {
        failure = e;
      }
      synchronized (this) {
        forcing = false;
        notifyAll(); // writeSnapshot() and close() wait for the file while it is forced
        if (failure != null) {
          // The kernel may have dropped the pages: nothing after this may be logged as durable
          // until a snapshot (which the next append's failure brings about) closes the hole.
          broken = failure;
        }
      }
      if (failure == null) {
        batch.forEach(Runnable::run);
      } else {
        log.error(
            "Cannot fsync {}: {}; {} entries applied but not durable are not acknowledged",
            logPath,
            failure.getMessage(),
            batch.size());
      }
    }
  }

  /**
   * Replaces everything on disk with {@code image} (after a state transfer, and to compact the
   * log): writes the snapshot atomically and durably, then starts a new empty log. The log's
   * entries must all be in {@code image} (it is the state after them, or a later one).
   */
  public synchronized void writeSnapshot(StateImage image) throws IOException {
    ensureOpen();
    started = true;
    try (FileOutputStream file = new FileOutputStream(tmpPath.toFile());
        OutputStream out = new BufferedOutputStream(file, 1 << 16)) {
      out.write(SNAPSHOT_MAGIC);
      for (StateChunk chunk : StateChunk.split("snapshot", "disk", image, KEYS_PER_CHUNK)) {
        ByteBuffer record = Records.frame(codec.encodeChunk(chunk));
        out.write(record.array(), 0, record.limit());
      }
      out.flush();
      file.getFD().sync();
    }
    Files.move(
        tmpPath, snapshotPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory();
    afterSnapshotDurable.run();

    // The snapshot is durable: the old log is no longer needed (once no fsync is using it). Entries
    // still waiting for an fsync are in the snapshot: the next fsync, of the new log, releases
    // them.
    awaitNoForce();
    if (wal != null) {
      RandomAccessFile old = wal;
      wal = null;
      old.close();
    }
    broken = null;
    dirty = false;
    Files.deleteIfExists(logPath);
    RandomAccessFile fresh = new RandomAccessFile(logPath.toFile(), "rw");
    fsyncDirectory();
    wal = fresh;
    walEnd = 0;
    entriesSinceSnapshot = 0;
  }

  /** Entries appended since the last snapshot (counting those recovered from the log). */
  public synchronized long entriesSinceSnapshot() {
    return entriesSinceSnapshot;
  }

  /** The data directory. */
  public Path directory() {
    return dir;
  }

  /** Fsyncs and closes the log; later calls do nothing. */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll(); // the fsync thread: it forces what waits, then ends
    }
    try {
      if (syncer != null) {
        syncer.shutdown();
        syncer.awaitTermination(10, TimeUnit.SECONDS);
      }
      if (committer != null) {
        committer.join(TimeUnit.SECONDS.toMillis(10)); // it forces and releases what waits
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      awaitNoForce();
      if (wal != null) {
        try (RandomAccessFile file = wal) {
          wal = null;
          file.getFD().sync();
        }
      }
    }
  }

  /** The INTERVAL policy's task: fsyncs the log when something was appended since the last time. */
  private void syncIfDirty() {
    RandomAccessFile file;
    synchronized (this) {
      if (closed || wal == null || !dirty) {
        return;
      }
      file = wal;
      dirty = false;
    }
    try {
      timedForce(file); // outside the lock: appends go on meanwhile
    } catch (IOException e) {
      synchronized (this) {
        if (file == wal) { // not closed or replaced meanwhile (those sync themselves)
          dirty = true;
          log.warn("Cannot fsync {}: {}", logPath, e.getMessage());
        }
      }
    }
  }

  private ReplicationMessage decodeEntry(byte[] payload) {
    try {
      StreamMessage message = codec.decode(payload);
      return message instanceof ReplicationMessage entry ? entry : null;
    } catch (MalformedMessageException | RuntimeException e) {
      return null;
    }
  }

  private StateImage readSnapshot() throws IOException {
    List<StateChunk> chunks = new ArrayList<>();
    try (InputStream in =
        new BufferedInputStream(new FileInputStream(snapshotPath.toFile()), 1 << 16)) {
      Records.Reader reader = new Records.Reader(in, 0);
      byte[] magic;
      try {
        magic = reader.readExactly(SNAPSHOT_MAGIC.length);
      } catch (IOException e) {
        throw corruptSnapshot("shorter than its header");
      }
      if (!Arrays.equals(magic, SNAPSHOT_MAGIC)) {
        throw corruptSnapshot("not a KVS snapshot (bad magic)");
      }
      while (true) {
        byte[] payload;
        try {
          payload = reader.next();
        } catch (Records.TornRecordException e) {
          throw corruptSnapshot(e.getMessage() + " at offset " + reader.offset());
        }
        if (payload == null) {
          break;
        }
        try {
          chunks.add(codec.decodeChunk(payload));
        } catch (MalformedMessageException e) {
          throw corruptSnapshot(
              "an unreadable chunk before offset " + reader.offset() + ": " + e.getMessage());
        }
      }
    }
    try {
      return StateChunk.assemble(chunks);
    } catch (IllegalArgumentException e) {
      throw corruptSnapshot(
          "its " + chunks.size() + " chunks do not form one state (" + e.getMessage() + ")");
    }
  }

  private IOException corruptSnapshot(String problem) {
    return new IOException(
        "The snapshot "
            + snapshotPath
            + " is corrupt: "
            + problem
            + ". Refusing to start from a wrong state: restore the data directory from a backup, or move it"
            + " aside to start empty.");
  }

  private void fsyncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "")
          .startsWith("Windows")) { // cannot open a directory there
        throw e;
      }
    }
  }

  // Called with the lock held: waits (releasing it) while the fsync thread forces the log.
  private void awaitNoForce() {
    boolean interrupted = false;
    while (forcing) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }
}
