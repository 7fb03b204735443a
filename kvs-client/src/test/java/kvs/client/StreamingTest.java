package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The batches and the snapshot stream: items are taken from the caller's iterable only as the
 * server takes them, and results only as the caller consumes them, so nothing is held whole.
 */
@Timeout(60)
class StreamingTest {

  /** How far the items taken may run ahead of the results consumed: flow control's slack. */
  private static final int MAX_AHEAD = 1_000;

  private final FakeKvsService service = new FakeKvsService();
  private InProcessKvs server;
  private KvsClient kvs;

  @BeforeEach
  void start() {
    server = InProcessKvs.start(service);
    kvs = KvsClient.builder().channel(server.channel()).deadline(Duration.ofSeconds(50)).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    kvs.close();
    server.close();
  }

  /** Items made on demand, counting how many were taken; never held in a collection. */
  private static final class CountingItems implements Iterable<KeyValue> {
    private final int size;
    private final AtomicInteger taken = new AtomicInteger();

    CountingItems(int size) {
      this.size = size;
    }

    @Override
    public Iterator<KeyValue> iterator() {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return taken.get() < size;
        }

        @Override
        public KeyValue next() {
          int i = taken.getAndIncrement();
          return KeyValue.of("chave" + i, "valor" + i);
        }
      };
    }
  }

  @Test
  void hundredThousandPutsStreamWithoutRunningAheadOfTheConsumer() {
    CountingItems items = new CountingItems(100_000);
    int consumed = 0;
    int maxAhead = 0;

    try (Stream<PutResult> results = kvs.putAll(items)) {
      for (Iterator<PutResult> it = results.iterator(); it.hasNext(); ) {
        PutResult result = it.next();
        assertEquals("chave" + consumed, result.request().key());
        assertEquals(OptionalInt.of(1), result.version());
        consumed++;
        maxAhead = Math.max(maxAhead, items.taken.get() - consumed);
      }
    }

    assertEquals(100_000, consumed);
    assertEquals(100_000, items.taken.get());
    assertTrue(maxAhead < MAX_AHEAD, "items taken ran " + maxAhead + " ahead of the results");
  }

  @Test
  void closingTheResultsEarlyCancelsTheBatchAndStopsTakingItems() {
    CountingItems items = new CountingItems(100_000);

    try (Stream<PutResult> results = kvs.putAll(items)) {
      assertEquals(10, results.limit(10).count());
    }

    assertTrue(items.taken.get() < MAX_AHEAD, "taken: " + items.taken.get());
    // The call is over: a later call on the same channel works.
    assertEquals(2, kvs.put("chave0", "outro"));
  }

  @Test
  void anExceptionFromTheItemsReachesTheCallerAsItIs() {
    IllegalStateException broken = new IllegalStateException("no more items");
    Iterable<KeyValue> failing =
        () ->
            new Iterator<>() {
              private int i;

              @Override
              public boolean hasNext() {
                return true;
              }

              @Override
              public KeyValue next() {
                if (i == 5) {
                  throw broken;
                }
                return KeyValue.of("chave" + i, "valor" + i++);
              }
            };

    IllegalStateException thrown =
        assertThrows(IllegalStateException.class, () -> kvs.putAll(failing).toList());

    assertSame(broken, thrown);
  }

  @Test
  void snapshotIsSentOnlyAsFastAsItIsConsumed() {
    kvs.putAll(new CountingItems(20_000)).forEach(r -> {});

    try (Stream<Entry> entries = kvs.snapshot(0)) {
      Iterator<Entry> it = entries.iterator();
      for (int i = 0; i < 10; i++) {
        it.next();
      }
      assertTrue(service.snapshotSent() < 10 + MAX_AHEAD, "sent: " + service.snapshotSent());
    }
    assertEquals(20_000, kvs.snapshot(0).count());
  }

  @Test
  void asyncBatchesHandResultsOverInOrder() throws Exception {
    List<PutResult> puts = new ArrayList<>();
    kvs.async().putAll(new CountingItems(1_000), puts::add).get(30, TimeUnit.SECONDS);

    List<GetResult> gets = new ArrayList<>();
    List<KeyVersion> keys =
        IntStream.range(0, 1_000).mapToObj(i -> KeyVersion.of("chave" + i)).toList();
    kvs.async().getAll(keys, gets::add).get(30, TimeUnit.SECONDS);

    List<RemoveResult> removes = new ArrayList<>();
    kvs.async().removeAll(keys.subList(0, 10), removes::add).get(30, TimeUnit.SECONDS);

    List<Entry> entries = new ArrayList<>();
    kvs.async().snapshot(0, entries::add).get(30, TimeUnit.SECONDS);

    assertEquals(1_000, puts.size());
    assertTrue(puts.stream().allMatch(PutResult::stored));
    assertEquals(
        IntStream.range(0, 1_000).mapToObj(i -> "valor" + i).toList(),
        gets.stream().map(g -> g.entry().orElseThrow().value()).toList());
    assertTrue(removes.stream().allMatch(RemoveResult::removed));
    assertEquals(990, entries.size());
  }

  @Test
  void anExceptionFromTheConsumerCancelsTheBatchAndFailsTheFuture() {
    IllegalArgumentException refused = new IllegalArgumentException("consumer refused");
    CountingItems items = new CountingItems(100_000);

    CompletableFuture<Void> done =
        kvs.async()
            .putAll(
                items,
                result -> {
                  if (result.request().key().equals("chave3")) {
                    throw refused;
                  }
                });

    ExecutionException e =
        assertThrows(ExecutionException.class, () -> done.get(30, TimeUnit.SECONDS));
    assertSame(refused, e.getCause());
    assertTrue(items.taken.get() < MAX_AHEAD, "taken: " + items.taken.get());
  }

  @Test
  void emptyAsyncBatchesCompleteWithoutACall() throws Exception {
    kvs.async().putAll(List.of(), r -> {}).get(1, TimeUnit.SECONDS);
    kvs.async().getAll(List.of(), r -> {}).get(1, TimeUnit.SECONDS);
    kvs.async().removeAll(List.of(), r -> {}).get(1, TimeUnit.SECONDS);

    assertEquals(List.of(), service.received());
  }
}
