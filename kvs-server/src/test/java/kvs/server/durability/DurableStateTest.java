package kvs.server.durability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.Thread.State;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kvs.core.VersionedStore;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurableStateTest {
  @TempDir Path dir;

  private Path logFile() {
    return dir.resolve(DurableState.LOG_FILE);
  }

  private Path snapshotFile() {
    return dir.resolve(DurableState.SNAPSHOT_FILE);
  }

  // ---- helpers ----

  /** A deterministic mix of puts, single-version removes and remove-alls from two origins. */
  private static List<ReplicationMessage> entries(int count, long seed) {
    Random random = new Random(seed);
    Map<String, Long> seqs = new HashMap<>();
    List<ReplicationMessage> entries = new ArrayList<>(count);
    String[] origins = {"host-9000", "host-9001"};
    for (int i = 0; i < count; i++) {
      String origin = origins[random.nextInt(origins.length)];
      long seq = seqs.merge(origin, 1L, Long::sum);
      List<Operation> ops = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int j = 0; j < n; j++) {
        String key = "key" + random.nextInt(40);
        int kind = random.nextInt(10);
        if (kind < 7) {
          ops.add(new Operation.Put(key, "value-" + seed + "-" + i + "-" + j + " ünï😀"));
        } else if (kind < 9) {
          ops.add(new Operation.Remove(key, 1 + random.nextInt(4)));
        } else {
          ops.add(Operation.Remove.all(key));
        }
      }
      entries.add(new ReplicationMessage(origin, "run-" + seed, seq, ops));
    }
    return entries;
  }

  private static StateMachine inMemory(List<ReplicationMessage> entries) {
    StateMachine machine = new StateMachine(new VersionedStore());
    entries.forEach(machine::apply);
    return machine;
  }

  private static void assertSameState(StateMachine expected, StateMachine actual) {
    assertEquals(expected.position(), actual.position(), "position");
    assertEquals(expected.store().digest(), actual.store().digest(), "digest");
    assertEquals(expected.image(), actual.image(), "image (keys, versions, duplicate filter)");
    for (int k = 0; k < 40; k++) {
      String key = "key" + k;
      for (int v = 0; v <= 5; v++) {
        assertEquals(expected.store().get(key, v), actual.store().get(key, v), key + "@" + v);
      }
    }
    assertEquals(expected.store().snapshot(0), actual.store().snapshot(0));
  }

  private DurableState open(FsyncPolicy policy) throws IOException {
    return DurableState.open(dir, policy, Duration.ofMillis(20));
  }

  /** Applies and appends like the server's stream tasks. */
  private static void applyAndAppend(
      DurableState disk, StateMachine machine, List<ReplicationMessage> entries)
      throws IOException {
    for (ReplicationMessage entry : entries) {
      machine.apply(entry);
      disk.append(entry, () -> {});
    }
  }

  private StateMachine reopenAndRecover() throws IOException {
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      return disk.recover();
    }
  }

  /** The start offset of every record of a record file (from {@code from}). */
  private static List<Long> recordOffsets(Path file, long from) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<Long> offsets = new ArrayList<>();
    long at = from;
    while (at < bytes.length) {
      offsets.add(at);
      at += 8 + ByteBuffer.wrap(bytes, (int) at, 4).getInt();
    }
    assertEquals(bytes.length, at, "test helper: the file is not a whole number of records");
    return offsets;
  }

  private static long size(Path file) throws IOException {
    return Files.size(file);
  }

  private static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.write(bytes);
    }
  }

  private static byte[] readAt(Path file, long offset, int length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(offset);
      byte[] bytes = new byte[length];
      raf.readFully(bytes);
      return bytes;
    }
  }

  private static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    }
  }

  /** Writes N entries through a DurableState and closes it; answers them. */
  private List<ReplicationMessage> writeLog(int count, long seed) throws IOException {
    List<ReplicationMessage> entries = entries(count, seed);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, entries);
    }
    return entries;
  }

  // ---- tests ----

  @Test
  void anEmptyDirectoryRecoversAnEmptyStateMachine() throws IOException {
    Path nested = dir.resolve("a/b");
    try (DurableState disk = DurableState.open(nested, FsyncPolicy.BATCH, null)) {
      assertTrue(Files.isDirectory(nested));
      StateMachine machine = disk.recover();
      assertEquals(0, machine.position());
      assertEquals(new StateMachine(new VersionedStore()).image(), machine.image());
      assertEquals(0, disk.entriesSinceSnapshot());
    }
  }

  @Test
  void appendedEntriesAreRecoveredAfterReopening() throws IOException {
    List<ReplicationMessage> entries = writeLog(500, 1);
    StateMachine recovered;
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      recovered = disk.recover();
      assertEquals(500, disk.entriesSinceSnapshot());
    }
    assertEquals(500, recovered.position());
    assertSameState(inMemory(entries), recovered);
  }

  @Test
  void recoveryAppendsAfterWhatItRecovered() throws IOException {
    List<ReplicationMessage> first = writeLog(50, 2);
    List<ReplicationMessage> second = entries(50, 3);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, second);
    }
    List<ReplicationMessage> all = new ArrayList<>(first);
    all.addAll(second);
    assertSameState(inMemory(all), reopenAndRecover());
  }

  @Test
  void recoveryIsSnapshotPlusTheLogAfterIt() throws IOException {
    List<ReplicationMessage> before = entries(300, 4);
    List<ReplicationMessage> after = entries(120, 5);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, before);
      assertEquals(300, disk.entriesSinceSnapshot());
      disk.writeSnapshot(machine.image());
      assertEquals(0, disk.entriesSinceSnapshot());
      assertEquals(0, size(logFile()), "the snapshot replaces the log");
      applyAndAppend(disk, machine, after);
      assertEquals(120, disk.entriesSinceSnapshot());
    }
    assertTrue(Files.exists(snapshotFile()));
    assertEquals(120, recordOffsets(logFile(), 0).size(), "only the tail is in the log");
    List<ReplicationMessage> all = new ArrayList<>(before);
    all.addAll(after);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine recovered = disk.recover();
      assertSameState(inMemory(all), recovered);
      assertEquals(120, disk.entriesSinceSnapshot());
    }
  }

  @Test
  void aSnapshotReplacesAnUnrelatedStateAfterAStateTransfer() throws IOException {
    writeLog(100, 6);
    StateMachine peer = inMemory(entries(200, 7));
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.recover();
      disk.writeSnapshot(peer.image());
    }
    assertSameState(peer, reopenAndRecover());
  }

  @Test
  void aSnapshotMayBeWrittenWithoutRecoveringFirst() throws IOException {
    writeLog(30, 8);
    StateMachine peer = inMemory(entries(40, 9));
    List<ReplicationMessage> more = entries(10, 10);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.writeSnapshot(peer.image());
      applyAndAppend(disk, peer, more);
    }
    assertSameState(peer, reopenAndRecover());
  }

  @Test
  void aTornTailIsDroppedAndTruncatedAndTheLogStaysUsable() throws IOException {
    List<ReplicationMessage> entries = writeLog(20, 11);
    List<Long> offsets = recordOffsets(logFile(), 0);
    long lastStart = offsets.get(19);
    long cut = lastStart + (size(logFile()) - lastStart) / 2; // in the middle of the last payload
    truncate(logFile(), cut);

    List<ReplicationMessage> more = entries(5, 12);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      assertSameState(inMemory(entries.subList(0, 19)), machine);
      assertEquals(19, disk.entriesSinceSnapshot());
      assertEquals(lastStart, size(logFile()), "the file is cut back to its good prefix");
      applyAndAppend(disk, machine, more); // no crash loop: appends go after the good prefix
    }
    List<ReplicationMessage> expected = new ArrayList<>(entries.subList(0, 19));
    expected.addAll(more);
    assertSameState(inMemory(expected), reopenAndRecover());
    assertSameState(inMemory(expected), reopenAndRecover()); // and again, nothing left to repair
    assertEquals(24, recordOffsets(logFile(), 0).size());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 7, 8})
  void aTornRecordHeaderIsDropped(int headerBytes) throws IOException {
    List<ReplicationMessage> entries = writeLog(10, 13);
    long goodSize = size(logFile());
    List<Long> offsets = recordOffsets(logFile(), 0);
    byte[] lastHeader = readAt(logFile(), offsets.get(9), 8);
    // A crash right after part of an 11th record's header was written.
    writeAt(logFile(), goodSize, java.util.Arrays.copyOf(lastHeader, headerBytes));
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries), recovered);
    assertEquals(goodSize, size(logFile()));
  }

  @Test
  void aRecordFailingItsCrcIsDroppedAndEarlierOnesKept() throws IOException {
    List<ReplicationMessage> entries = writeLog(20, 14);
    long lastStart = recordOffsets(logFile(), 0).get(19);
    long inPayload = lastStart + 8 + 10;
    byte[] original = readAt(logFile(), inPayload, 1);
    writeAt(logFile(), inPayload, new byte[] {(byte) (original[0] ^ 0x01)});
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries.subList(0, 19)), recovered);
    assertEquals(lastStart, size(logFile()));
  }

  @Test
  void aCorruptRecordInTheMiddleEndsTheLogThere() throws IOException {
    List<ReplicationMessage> entries = writeLog(20, 15);
    long start = recordOffsets(logFile(), 0).get(12);
    writeAt(logFile(), start + 4, new byte[] {0, 0, 0, 0}); // the CRC field
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries.subList(0, 12)), recovered);
    assertEquals(start, size(logFile()));
  }

  @ParameterizedTest
  @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 64 * 1024 * 1024 + 1, Integer.MAX_VALUE})
  void aGarbageLengthFieldIsATornTail(int length) throws IOException {
    List<ReplicationMessage> entries = writeLog(10, 16);
    long lastStart = recordOffsets(logFile(), 0).get(9);
    writeAt(logFile(), lastStart, ByteBuffer.allocate(4).putInt(length).array());
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries.subList(0, 9)), recovered);
    assertEquals(lastStart, size(logFile()));
  }

  @Test
  void aLengthPointingPastTheEndIsATornTail() throws IOException {
    List<ReplicationMessage> entries = writeLog(10, 17);
    long lastStart = recordOffsets(logFile(), 0).get(9);
    int realLength = ByteBuffer.wrap(readAt(logFile(), lastStart, 4)).getInt();
    writeAt(logFile(), lastStart, ByteBuffer.allocate(4).putInt(realLength + 1000).array());
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries.subList(0, 9)), recovered);
    assertEquals(lastStart, size(logFile()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "{\"format\":1,\"kind\":\"heartbeat\",\"origin\":\"x\",\"run\":\"r\",\"port\":1,"
            + "\"position\":0,\"digest\":\"0\",\"lastOwnSeq\":0,\"caughtUp\":true}",
        "{\"format\":2}"
      })
  void aRecordWithAGoodCrcThatIsNotAWritesEntryIsATornTail(String payload) throws IOException {
    List<ReplicationMessage> entries = writeLog(10, 18);
    long goodSize = size(logFile());
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    ByteBuffer record = Records.frame(bytes);
    writeAt(logFile(), goodSize, java.util.Arrays.copyOf(record.array(), record.limit()));
    StateMachine recovered = reopenAndRecover();
    assertSameState(inMemory(entries), recovered);
    assertEquals(goodSize, size(logFile()));
  }

  @Test
  void aCrashBetweenTheSnapshotAndTheLogDeletionRecoversCorrectly() throws IOException {
    List<ReplicationMessage> entries = entries(200, 19);
    StateMachine machine;
    DurableState disk = open(FsyncPolicy.BATCH);
    try {
      machine = disk.recover();
      applyAndAppend(disk, machine, entries);
      disk.afterSnapshotDurable =
          () -> {
            throw new IllegalStateException("simulated crash");
          };
      StateImage image = machine.image();
      assertThrows(IllegalStateException.class, () -> disk.writeSnapshot(image));
    } finally {
      disk.close(); // releases the file only: the "crash" left the snapshot and the old log
    }
    assertTrue(Files.exists(snapshotFile()));
    assertEquals(200, recordOffsets(logFile(), 0).size(), "the old log is still there");

    try (DurableState again = open(FsyncPolicy.BATCH)) {
      StateMachine recovered = again.recover();
      // Every logged entry is in the snapshot too: all ignored as duplicates, position not moved.
      assertSameState(machine, recovered);
      assertEquals(200, recovered.position());
      // And it goes on from there.
      List<ReplicationMessage> more = entries(20, 20);
      applyAndAppend(again, recovered, more);
      machine = recovered;
    }
    assertSameState(machine, reopenAndRecover());
  }

  @Test
  void replayingEntriesOlderThanASnapshotIsIgnored() {
    List<ReplicationMessage> entries = entries(100, 21);
    StateMachine machine = inMemory(entries);
    StateMachine fromImage = StateMachine.of(machine.image());
    for (ReplicationMessage entry : entries) {
      assertTrue(fromImage.apply(entry).duplicate());
    }
    assertEquals(100, fromImage.position());
    assertSameState(machine, fromImage);
  }

  @Test
  void retriesStaySafeAcrossASnapshotAndARestart() throws IOException {
    long t0 = 1_700_000_000_000L;
    StateMachine machine;
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      machine = disk.recover();
      List<ReplicationMessage> entries = new ArrayList<>();
      for (int i = 1; i <= 25_000; i++) { // more recent requests than one snapshot chunk holds
        entries.add(
            new ReplicationMessage(
                "host-9000",
                "run",
                i,
                List.of(
                    new Operation.Put(
                        "key" + i % 40, "val" + i, java.util.Optional.of("rid-" + i))),
                t0 + i));
      }
      applyAndAppend(disk, machine, entries);
      disk.writeSnapshot(machine.image());
    }
    StateMachine recovered = reopenAndRecover();
    assertSameState(machine, recovered);
    assertEquals(t0 + 25_000, recovered.streamTime());
    ReplicationMessage retry =
        new ReplicationMessage(
            "host-9001",
            "run",
            1,
            List.of(new Operation.Put("key1", "val1", java.util.Optional.of("rid-1"))),
            t0 + 30_000);
    assertEquals(List.of(1), recovered.apply(retry).results(), "the first answer, nothing written");
    assertEquals(List.of(1), machine.apply(retry).results());
    assertEquals(machine.store().digest(), recovered.store().digest());
  }

  @Test
  void aCrashAfterTheLogWasDeletedRecoversTheSnapshot() throws IOException {
    List<ReplicationMessage> entries = entries(50, 22);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, entries);
      disk.writeSnapshot(machine.image());
    }
    Files.delete(logFile()); // deleted, the new one not created yet
    assertSameState(inMemory(entries), reopenAndRecover());
  }

  @Test
  void aCrashWhileWritingASnapshotKeepsTheOldSnapshotAndLog() throws IOException {
    List<ReplicationMessage> first = entries(60, 23);
    List<ReplicationMessage> second = entries(40, 24);
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, first);
      disk.writeSnapshot(machine.image());
      applyAndAppend(disk, machine, second);
    }
    // A half-written next snapshot (crash before the rename).
    Files.write(
        dir.resolve(DurableState.SNAPSHOT_TMP),
        "KVS1\0\0\1\0garbage".getBytes(StandardCharsets.US_ASCII));
    List<ReplicationMessage> all = new ArrayList<>(first);
    all.addAll(second);
    assertSameState(inMemory(all), reopenAndRecover());
    assertFalse(Files.exists(dir.resolve(DurableState.SNAPSHOT_TMP)), "the left-over is deleted");
  }

  @Test
  void aSnapshotFailingItsCrcIsAnErrorForTheOperator() throws IOException {
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      applyAndAppend(disk, machine, entries(50, 25));
      disk.writeSnapshot(machine.image());
    }
    long inPayload = 4 + 8 + 20;
    byte[] original = readAt(snapshotFile(), inPayload, 1);
    writeAt(snapshotFile(), inPayload, new byte[] {(byte) (original[0] ^ 0x20)});
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      IOException e = assertThrows(IOException.class, disk::recover);
      assertTrue(
          e.getMessage().contains("snapshot") && e.getMessage().contains("corrupt"),
          e.getMessage());
      assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }
    assertTrue(Files.exists(snapshotFile()), "left for the operator");
  }

  @Test
  void aSnapshotWithAMissingChunkOrBadMagicIsAnError() throws IOException {
    StateMachine machine = new StateMachine(new VersionedStore());
    for (int i = 0; i < 12_000; i++) {
      machine.apply(
          new ReplicationMessage(
              "o", "r", i + 1, List.of(new Operation.Put("key" + i, "val" + i))));
    }
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.writeSnapshot(machine.image());
    }
    List<Long> chunks = recordOffsets(snapshotFile(), 4);
    assertEquals(3, chunks.size(), "5000 keys per chunk");
    byte[] whole = Files.readAllBytes(snapshotFile());

    truncate(snapshotFile(), chunks.get(2)); // a whole chunk missing
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      assertThrows(IOException.class, disk::recover);
    }
    Files.write(snapshotFile(), whole);
    writeAt(snapshotFile(), 0, "KVS2".getBytes(StandardCharsets.US_ASCII));
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      IOException e = assertThrows(IOException.class, disk::recover);
      assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }
    Files.write(snapshotFile(), whole);
    assertSameState(machine, reopenAndRecover());
  }

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void everyFsyncPolicyPersistsOnCleanClose(FsyncPolicy policy) throws Exception {
    List<ReplicationMessage> first = entries(100, 26);
    List<ReplicationMessage> second = entries(100, 27);
    StateMachine machine;
    try (DurableState disk = DurableState.open(dir, policy, Duration.ofMillis(5))) {
      machine = disk.recover();
      applyAndAppend(disk, machine, first);
      Thread.sleep(30); // INTERVAL: the background fsync runs in between
      applyAndAppend(disk, machine, second);
    }
    List<ReplicationMessage> all = new ArrayList<>(first);
    all.addAll(second);
    assertSameState(inMemory(all), machine);
    try (DurableState disk = DurableState.open(dir, policy, Duration.ofMillis(5))) {
      assertSameState(machine, disk.recover());
    }
  }

  @Test
  void theIntervalPolicyNeedsAnInterval() {
    assertThrows(
        IllegalArgumentException.class, () -> DurableState.open(dir, FsyncPolicy.INTERVAL, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> DurableState.open(dir, FsyncPolicy.INTERVAL, Duration.ZERO));
  }

  @Test
  void appendNeedsRecoverFirstAndRecoverRunsOnce() throws IOException {
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      ReplicationMessage entry = entries(1, 28).get(0);
      assertThrows(IllegalStateException.class, () -> disk.append(entry, () -> {}));
      disk.recover();
      assertThrows(IllegalStateException.class, disk::recover);
    }
  }

  @Test
  void aClosedStateRefusesWork() throws IOException {
    DurableState disk = open(FsyncPolicy.BATCH);
    disk.recover();
    disk.close();
    disk.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> disk.append(entries(1, 29).get(0), () -> {}));
  }

  @Test
  void aHundredThousandKeysSnapshotAndRecover() throws IOException {
    StateMachine machine = new StateMachine(new VersionedStore());
    for (int i = 0; i < 100_000; i += 10) {
      List<Operation> ops = new ArrayList<>();
      for (int j = i; j < i + 10; j++) {
        ops.add(new Operation.Put(String.format("key-%06d", j), "value-" + j));
      }
      machine.apply(new ReplicationMessage("host-9000", "run", i / 10 + 1, ops));
    }
    machine.apply(
        new ReplicationMessage("host-9001", "run", 1, List.of(Operation.Remove.all("key-000007"))));
    List<ReplicationMessage> tail = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tail.add(
          new ReplicationMessage(
              "host-9001", "run", i + 2, List.of(new Operation.Put("key-000042", "again" + i))));
    }
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.recover();
      disk.writeSnapshot(machine.image());
      applyAndAppend(disk, machine, tail);
    }
    assertEquals(20, recordOffsets(snapshotFile(), 4).size(), "100,000 keys in chunks of 5000");
    StateMachine recovered = reopenAndRecover();
    assertEquals(machine.position(), recovered.position());
    assertEquals(machine.store().digest(), recovered.store().digest());
    assertEquals(machine.image(), recovered.image());
    assertEquals(100_000, recovered.store().records().size());
    assertEquals(99_999, recovered.store().keyCount());
    assertEquals("again99", recovered.store().get("key-000042", 0).orElseThrow().value());
    assertEquals(101, recovered.store().get("key-000042", 0).orElseThrow().version());
    assertTrue(recovered.store().get("key-000007", 0).isEmpty());
    assertEquals("value-99999", recovered.store().get("key-099999", 0).orElseThrow().value());
  }

  @Test
  void theSnapshotFileStartsWithTheMagicAndHoldsCrcCheckedRecords() throws IOException {
    StateMachine machine = inMemory(entries(30, 30));
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.writeSnapshot(machine.image());
    }
    byte[] bytes = Files.readAllBytes(snapshotFile());
    assertEquals("KVS1", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
    ByteBuffer header = ByteBuffer.wrap(bytes, 4, 8);
    int length = header.getInt();
    int crc = header.getInt();
    java.util.zip.CRC32 expected = new java.util.zip.CRC32();
    expected.update(bytes, 12, length);
    assertEquals((int) expected.getValue(), crc);
    assertEquals(bytes.length, 12 + length, "one chunk for 40 keys");
    String json = new String(bytes, 12, length, StandardCharsets.UTF_8);
    assertTrue(
        json.contains("\"kind\":\"state-chunk\"") && json.contains("\"request\":\"snapshot\""),
        json);
    assertEquals(0, size(logFile()));
  }

  // ---- a slow disk: BATCH forces the log on its own thread ----

  /** A disk whose fsyncs each wait until the test lets one through, and may fail. */
  private static final class HeldDisk implements DurableState.Force {
    final Semaphore started = new Semaphore(0); // a permit per fsync that began
    final Semaphore letThrough = new Semaphore(0); // a permit per fsync that may end
    final AtomicInteger forces = new AtomicInteger();
    volatile IOException failure;

    @Override
    public void force(RandomAccessFile file) throws IOException {
      forces.incrementAndGet();
      started.release();
      letThrough.acquireUninterruptibly();
      if (failure != null) {
        throw failure;
      }
      file.getFD().sync();
    }

    void awaitStarted() throws InterruptedException {
      assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "an fsync began");
    }
  }

  /** Appends {@code entry}; its answer adds its sequence to {@code answered}, in order. */
  private static void append(
      DurableState disk, ReplicationMessage entry, List<Long> answered, CountDownLatch done)
      throws IOException {
    disk.append(
        entry,
        () -> {
          answered.add(entry.sequence());
          done.countDown();
        });
  }

  @Test
  void withBatchAnAppendDoesNotWaitForTheDiskAndWhatArrivesMeanwhileSharesTheNextFsync()
      throws Exception {
    List<ReplicationMessage> entries = entries(3, 40);
    List<Long> answered = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    HeldDisk held = new HeldDisk();
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      disk.recover();
      disk.force = held;
      append(disk, entries.get(0), answered, done); // returns while its fsync cannot end
      held.awaitStarted();
      append(disk, entries.get(1), answered, done);
      append(disk, entries.get(2), answered, done);
      assertEquals(List.of(), answered, "nothing is answered before it is on the disk");

      held.letThrough.release();
      held.awaitStarted(); // the second fsync began: the first one's entry was answered before
      assertEquals(List.of(entries.get(0).sequence()), answered);
      held.letThrough.release();
      assertTrue(done.await(10, TimeUnit.SECONDS), "every entry answered");
      assertEquals(entries.stream().map(ReplicationMessage::sequence).toList(), answered);
      assertEquals(2, held.forces.get(), "the two entries that came during the first fsync");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"INTERVAL", "NEVER"})
  void withoutBatchAnEntryIsAnsweredAsItIsWritten(FsyncPolicy policy) throws IOException {
    List<Long> answered = new ArrayList<>();
    try (DurableState disk = open(policy)) {
      disk.recover();
      ReplicationMessage entry = entries(1, 41).get(0);
      append(disk, entry, answered, new CountDownLatch(1));
      assertEquals(List.of(entry.sequence()), answered);
    }
  }

  @Test
  void theEntriesOfAFailedFsyncAreNeverAnswered() throws Exception {
    List<ReplicationMessage> entries = entries(2, 42);
    List<Long> answered = new CopyOnWriteArrayList<>();
    HeldDisk held = new HeldDisk();
    held.failure = new IOException("the disk is on fire");
    DurableState disk = open(FsyncPolicy.BATCH);
    disk.recover();
    disk.force = held;
    append(disk, entries.get(0), answered, new CountDownLatch(1));
    held.awaitStarted();
    append(disk, entries.get(1), answered, new CountDownLatch(1));
    held.letThrough.release(2);
    disk.close(); // waits for the fsync thread, which fails both fsyncs
    assertEquals(List.of(), answered);
  }

  @Test
  void aSnapshotWaitsForTheFsyncUnderWayAndTheEntriesWaitingAreAnsweredAfterIt() throws Exception {
    List<ReplicationMessage> entries = entries(2, 43);
    List<Long> answered = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    HeldDisk held = new HeldDisk();
    try (DurableState disk = open(FsyncPolicy.BATCH)) {
      StateMachine machine = disk.recover();
      disk.force = held;
      machine.apply(entries.get(0));
      append(disk, entries.get(0), answered, done);
      held.awaitStarted();
      machine.apply(entries.get(1));
      append(disk, entries.get(1), answered, done);

      StateImage image = machine.image();
      AtomicReference<IOException> failed = new AtomicReference<>();
      Thread snapshot =
          new Thread(
              () -> {
                try {
                  disk.writeSnapshot(image);
                } catch (IOException e) {
                  failed.set(e);
                }
              });
      snapshot.start();
      // It waits to replace the log that the first fsync is still forcing (or, if it did not
      // wait, has replaced it under that fsync).
      await("the snapshot waits or is written")
          .atMost(Duration.ofSeconds(10))
          .until(() -> EnumSet.of(State.WAITING, State.TERMINATED).contains(snapshot.getState()));
      held.letThrough.release(2);
      snapshot.join(10_000);
      assertEquals(null, failed.get());
      assertTrue(done.await(10, TimeUnit.SECONDS), "both answered: " + answered);
      assertEquals(entries.stream().map(ReplicationMessage::sequence).toList(), answered);
    }
    assertSameState(inMemory(entries), reopenAndRecover());
  }

  @Test
  void closingAnswersWhatWaitsForAnFsync() throws Exception {
    List<ReplicationMessage> entries = entries(2, 44);
    List<Long> answered = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    HeldDisk held = new HeldDisk();
    DurableState disk = open(FsyncPolicy.BATCH);
    disk.recover();
    disk.force = held;
    append(disk, entries.get(0), answered, done);
    held.awaitStarted();
    append(disk, entries.get(1), answered, done);
    CompletableFuture<Void> closed =
        CompletableFuture.runAsync(
            () -> {
              try {
                disk.close();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    held.letThrough.release(2);
    closed.get(10, TimeUnit.SECONDS);
    assertEquals(0, done.getCount(), "answered before close() returned: " + answered);
    assertSameState(inMemory(entries), reopenAndRecover());
  }
}
