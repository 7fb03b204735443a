package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import kvs.core.KeyRecord;
import kvs.core.VersionedStore;
import org.junit.jupiter.api.Test;

class StateChunkTest {
  private static final List<RunSequence> RUNS =
      List.of(new RunSequence("host-9000", "run-1", 12), new RunSequence("host-9001", "run-2", 3));

  private static final List<RecentRequest> REQUESTS =
      List.of(RecentRequest.of("req-a", 3, 1_000), RecentRequest.of("req-b", -1, 2_000));

  /** An image of {@code keyCount} keys, every third a tombstone, with a real digest. */
  private static StateImage image(int keyCount) {
    VersionedStore store = new VersionedStore();
    for (int i = 0; i < keyCount; i++) {
      String key = "chave" + (100_000 + i);
      store.put(key, "valor" + i);
      if (i % 3 == 0) {
        store.remove(key, 0);
      }
    }
    return new StateImage(77, store.digest(), 5_000, RUNS, REQUESTS, store.records());
  }

  private static KeyRecord record(String key) {
    TreeMap<Integer, String> versions = new TreeMap<>();
    versions.put(1, "valor1");
    return new KeyRecord(key, 1, versions);
  }

  @Test
  void splitsTenThousandAndOneKeysIntoElevenChunks() {
    StateImage image = image(10_001);
    List<StateChunk> chunks = StateChunk.split("req-1", "host-9000", image, 1_000);
    assertEquals(11, chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      StateChunk chunk = chunks.get(i);
      assertEquals(i, chunk.index());
      assertEquals(11, chunk.total());
      assertEquals("req-1", chunk.requestId());
      assertEquals("host-9000", chunk.from());
      assertEquals(77, chunk.position());
      assertEquals(image.digest(), chunk.digest());
      assertEquals(i == 0 ? RUNS : List.of(), chunk.runs(), "only the first carries the runs");
      assertEquals(i < 10 ? 1_000 : 1, chunk.keys().size());
    }
    assertEquals(image.keys().get(1_000), chunks.get(1).keys().get(0));
    assertEquals(image.keys().get(10_000), chunks.get(10).keys().get(0));
    assertEquals(image, StateChunk.assemble(chunks));
  }

  @Test
  void splitsAnExactMultipleWithoutAnEmptyTail() {
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image(3_000), 1_000);
    assertEquals(3, chunks.size());
    chunks.forEach(c -> assertEquals(1_000, c.keys().size()));
  }

  @Test
  void anEmptyImageIsOneChunkCarryingTheRuns() {
    StateImage empty = new StateImage(5, 0, 5_000, RUNS, REQUESTS, List.of());
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", empty, 1_000);
    assertEquals(1, chunks.size());
    StateChunk only = chunks.get(0);
    assertEquals(0, only.index());
    assertEquals(1, only.total());
    assertEquals(RUNS, only.runs());
    assertTrue(only.keys().isEmpty());
    assertEquals(empty, StateChunk.assemble(chunks));
  }

  @Test
  void aTransferThroughTheCodecRestoresTheStateMachine() throws Exception {
    StateMachine source = new StateMachine(new VersionedStore());
    for (int i = 1; i <= 1_000; i++) {
      String key = "chave" + (i % 301);
      source.apply(
          new ReplicationMessage(
              "host-" + (i % 3),
              "run-1",
              i,
              i % 5 == 0
                  ? List.of(Operation.Remove.all(key))
                  : List.of(new Operation.Put(key, "valor" + i))));
    }
    StateImage image = source.image();
    MessageCodec codec = new MessageCodec();
    List<StateChunk> received = new ArrayList<>();
    for (StateChunk chunk : StateChunk.split("req-9", "host-0", image, 100)) {
      received.add(codec.decodeChunk(codec.encodeChunk(chunk)));
    }
    assertTrue(image.keys().size() > 250, "most keys are written: " + image.keys().size());
    assertEquals((image.keys().size() + 99) / 100, received.size());
    StateMachine restored = StateMachine.of(StateChunk.assemble(received));
    assertEquals(source.position(), restored.position());
    assertEquals(source.store().digest(), restored.store().digest());
    assertEquals(source.store().records(), restored.store().records());
  }

  @Test
  void assembleRejectsChunksOutOfOrder() {
    List<StateChunk> chunks = new ArrayList<>(StateChunk.split("req-1", "srv", image(30), 10));
    Collections.swap(chunks, 1, 2);
    assertThrows(IllegalArgumentException.class, () -> StateChunk.assemble(chunks));
  }

  @Test
  void assembleRejectsAnIncompleteAnswer() {
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image(30), 10);
    assertThrows(IllegalArgumentException.class, () -> StateChunk.assemble(chunks.subList(0, 2)));
    assertThrows(IllegalArgumentException.class, () -> StateChunk.assemble(chunks.subList(1, 3)));
    assertThrows(IllegalArgumentException.class, () -> StateChunk.assemble(List.of()));
  }

  @Test
  void assembleRejectsADuplicatedChunk() {
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image(30), 10);
    List<StateChunk> twice = List.of(chunks.get(0), chunks.get(1), chunks.get(1));
    assertThrows(IllegalArgumentException.class, () -> StateChunk.assemble(twice));
  }

  @Test
  void assembleRejectsChunksOfDifferentAnswers() {
    StateImage image = image(30);
    List<StateChunk> answer = StateChunk.split("req-1", "srv-a", image, 10);
    List<StateChunk> otherRequest = StateChunk.split("req-2", "srv-a", image, 10);
    List<StateChunk> otherServer = StateChunk.split("req-1", "srv-b", image, 10);
    StateImage laterImage =
        new StateImage(
            78, image.digest(), image.streamTime(), image.runs(), image.requests(), image.keys());
    List<StateChunk> otherPosition = StateChunk.split("req-1", "srv-a", laterImage, 10);
    StateImage otherDigestImage =
        new StateImage(
            77,
            image.digest() + 1,
            image.streamTime(),
            image.runs(),
            image.requests(),
            image.keys());
    List<StateChunk> otherDigest = StateChunk.split("req-1", "srv-a", otherDigestImage, 10);
    for (List<StateChunk> other : List.of(otherRequest, otherServer, otherPosition, otherDigest)) {
      List<StateChunk> mixed = List.of(answer.get(0), other.get(1), answer.get(2));
      assertThrows(
          IllegalArgumentException.class,
          () -> StateChunk.assemble(mixed),
          other.get(1).toString());
    }
  }

  @Test
  void chunkRejectsAnIndexOutsideTheTotal() {
    List<KeyRecord> keys = List.of(record("chave1"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new StateChunk("q", "s", 1, 1, 0, 0, 0, RUNS, List.of(), keys));
    assertThrows(
        IllegalArgumentException.class,
        () -> new StateChunk("q", "s", -1, 1, 0, 0, 0, RUNS, List.of(), keys));
    assertThrows(
        IllegalArgumentException.class,
        () -> new StateChunk("q", "s", 0, 0, 0, 0, 0, RUNS, List.of(), keys));
  }

  // --- the recent requests, spread over the chunks ---

  private static StateImage imageWithRequests(int keyCount, int requestCount) {
    StateImage keys = image(keyCount);
    List<RecentRequest> requests = new ArrayList<>(requestCount);
    for (int i = 0; i < requestCount; i++) {
      requests.add(RecentRequest.of("rid-" + i, i, 1_700_000_000_000L + i));
    }
    return new StateImage(
        77, keys.digest(), 1_700_000_000_000L + requestCount, RUNS, requests, keys.keys());
  }

  @Test
  void manyRequestsAreSpreadOverChunksInOrderNotAllInTheFirst() {
    StateImage image = imageWithRequests(1_500, 50_001);
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image, 1_000);
    assertEquals(3, chunks.size(), "more chunks for the requests than the keys need");
    assertEquals(
        List.of(20_000, 20_000, 10_001), chunks.stream().map(c -> c.requests().size()).toList());
    assertEquals(List.of(1_000, 500, 0), chunks.stream().map(c -> c.keys().size()).toList());
    assertEquals(image.requests().get(20_000), chunks.get(1).requests().get(0));
    assertEquals(image.requests().get(50_000), chunks.get(2).requests().get(10_000));
    chunks.forEach(c -> assertEquals(image.streamTime(), c.streamTime()));
    assertEquals(image, StateChunk.assemble(chunks));
  }

  @Test
  void theChunkCountIsWhatTheKeysOrTheRequestsNeedWhicheverIsMore() {
    StateImage image = imageWithRequests(10_001, 25);
    assertEquals(11, StateChunk.split("req-1", "srv", image, 1_000, 10).size());
    assertEquals(3, StateChunk.split("req-1", "srv", image, 5_000, 10).size());
    assertEquals(13, StateChunk.split("req-1", "srv", image, 5_000, 2).size());
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image, 5_000, 2);
    assertEquals(image, StateChunk.assemble(chunks));
    assertThrows(
        IllegalArgumentException.class, () -> StateChunk.split("req-1", "srv", image, 5_000, 0));
  }

  @Test
  void assembleRejectsChunksOfAnotherStreamTime() {
    StateImage image = imageWithRequests(30, 30);
    StateImage later =
        new StateImage(
            image.position(),
            image.digest(),
            image.streamTime() + 1,
            image.runs(),
            image.requests(),
            image.keys());
    List<StateChunk> answer = StateChunk.split("req-1", "srv", image, 10, 10);
    List<StateChunk> other = StateChunk.split("req-1", "srv", later, 10, 10);
    assertThrows(
        IllegalArgumentException.class,
        () -> StateChunk.assemble(List.of(answer.get(0), other.get(1), answer.get(2))));
  }

  @Test
  void aTransferThroughTheCodecKeepsRetriesSafe() throws Exception {
    StateMachine source = new StateMachine(new VersionedStore());
    long t0 = 1_700_000_000_000L;
    for (int i = 1; i <= 45_000; i++) {
      source.apply(
          new ReplicationMessage(
              "host-1",
              "run-1",
              i,
              List.of(
                  new Operation.Put(
                      "chave" + (i % 100), "valor" + i, java.util.Optional.of("rid-" + i))),
              t0 + i / 45));
    }
    MessageCodec codec = new MessageCodec();
    List<StateChunk> received = new ArrayList<>();
    for (StateChunk chunk : StateChunk.split("req-9", "host-0", source.image(), 5_000)) {
      received.add(codec.decodeChunk(codec.encodeChunk(chunk)));
    }
    assertEquals(3, received.size(), "45,000 requests in chunks of 20,000");
    StateMachine restored = StateMachine.of(StateChunk.assemble(received));
    assertEquals(source.image(), restored.image());
    ReplicationMessage retries =
        new ReplicationMessage(
            "host-2",
            "run-1",
            1,
            List.of(
                new Operation.Put("chave1", "valor1", java.util.Optional.of("rid-1")),
                new Operation.Put("chave0", "valor45000", java.util.Optional.of("rid-45000"))),
            t0 + 2_000);
    StateMachine.Applied answered = restored.apply(retries);
    assertEquals(List.of(1, 450), answered.results(), "the first answers");
    assertEquals(source.apply(retries), answered);
    assertEquals(source.store().digest(), restored.store().digest());
  }

  @Test
  void chunksAreCutByBytesAsWellAsByKeysAndAKeyIsNeverCut() {
    StateImage image = image(100);
    long oneKey = StateChunk.encodedSize(image.keys().get(0));
    List<StateChunk> chunks = StateChunk.split("req-1", "srv", image, 1_000, 1_000, 10 * oneKey);
    assertTrue(chunks.size() >= 10, "about ten keys a chunk: " + chunks.size());
    MessageCodec codec = new MessageCodec();
    for (StateChunk chunk : chunks) {
      long keyBytes = chunk.keys().stream().mapToLong(StateChunk::encodedSize).sum();
      assertTrue(keyBytes <= 10 * oneKey + oneKey, "keys of " + keyBytes + " bytes");
    }
    assertEquals(image.keys(), StateChunk.assemble(chunks).keys());
    assertEquals(100, StateChunk.split("req-1", "srv", image, 1_000, 1_000, 1).size(), "one each");
    assertTrue(codec.encodeChunk(chunks.get(0)).length > 0);
  }
}
