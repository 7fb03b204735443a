package kvs.server.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kvs.core.replication.MalformedMessageException;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.SizeLimits;
import kvs.server.replication.WritePublisher.Written;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How writes become stream messages: one message out at a time, until it comes back through the
 * stream; the writes that arrive meanwhile go out together, in order, as the next one. The
 * transport here is a recording stand-in (the real broker is in the ITs): it lets a test decide
 * when the broker acks and when a message comes back.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WritePublisherTest {
  private static final ReplicaIdentity SELF = new ReplicaIdentity("s1", "run-1");
  private final MessageCodec codec = new MessageCodec();
  private final RecordingTransport transport = new RecordingTransport();

  private WritePublisher publisher(Duration writeTimeout, int maxBatch) {
    return new WritePublisher(SELF, transport, codec, writeTimeout, maxBatch);
  }

  @Test
  void aWriteWithNothingOutIsPublishedAtOnceAndAnsweredWhenApplied() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    long before = System.currentTimeMillis();
    CompletableFuture<Written> write = publisher.submit(put("k", "v"));
    long after = System.currentTimeMillis();

    assertEquals(1, transport.published.size());
    ReplicationMessage message = transport.message(0);
    assertEquals(
        new ReplicationMessage("s1", "run-1", 1, List.of(put("k", "v")), message.timestamp()),
        message);
    assertTrue(
        message.timestamp() >= before && message.timestamp() <= after,
        "stamped with the wall clock when published: " + message.timestamp());
    assertFalse(write.isDone());

    publisher.onArrived(message);
    publisher.onApplied(1, List.of(7), 42);
    assertEquals(new Written(7, 42), write.get(5, TimeUnit.SECONDS));
  }

  @Test
  void writesThatArriveWhileAMessageIsOutWaitForItsReturnNotForTheAck() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    publisher.submit(put("a", "1"));
    CompletableFuture<Written> b = publisher.submit(put("b", "2"));
    CompletableFuture<Written> c = publisher.submit(put("c", "3"));

    transport.ackAll();
    assertEquals(1, transport.published.size(), "the broker's ack alone lets nothing out");

    publisher.onArrived(transport.message(0));
    assertEquals(2, transport.published.size());
    assertEquals(List.of(put("b", "2"), put("c", "3")), transport.message(1).operations());
    assertEquals(2, transport.message(1).sequence());

    publisher.onApplied(2, List.of(1, 1), 5);
    assertEquals(new Written(1, 5), b.get(5, TimeUnit.SECONDS));
    assertEquals(new Written(1, 5), c.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aBatchIsCutByBytesAsWellAsByCount() throws Exception {
    long oneWrite = SizeLimits.encodedSize(put("b", "x".repeat(100)));
    WritePublisher publisher =
        new WritePublisher(
            SELF, transport, codec, Duration.ofSeconds(10), 100, 2 * oneWrite, () -> true);
    publisher.submit(put("a", "1"));
    for (String key : List.of("b", "c", "d", "e", "f")) {
      publisher.submit(put(key, "x".repeat(100)));
    }
    publisher.onArrived(transport.message(0));
    assertEquals(
        List.of(put("b", "x".repeat(100)), put("c", "x".repeat(100))),
        transport.message(1).operations(),
        "two writes' worth of bytes");
    publisher.onArrived(transport.message(1));
    assertEquals(2, transport.message(2).operations().size());
    publisher.onArrived(transport.message(2));
    assertEquals(List.of(put("f", "x".repeat(100))), transport.message(3).operations());
  }

  @Test
  void aWriteLargerThanTheByteBudgetStillGoesOutAlone() throws Exception {
    WritePublisher publisher =
        new WritePublisher(SELF, transport, codec, Duration.ofSeconds(10), 100, 10, () -> true);
    publisher.submit(put("a", "x".repeat(100)));
    assertEquals(List.of(put("a", "x".repeat(100))), transport.message(0).operations());
  }

  @Test
  void onlyOurOwnOutstandingMessageLetsTheNextOneGo() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    publisher.submit(put("a", "1"));
    publisher.submit(put("b", "2"));

    publisher.onArrived(new ReplicationMessage("s2", "run-1", 1, List.of(put("x", "y"))));
    publisher.onArrived(new ReplicationMessage("s1", "an-earlier-run", 1, List.of(put("x", "y"))));
    publisher.onArrived(new ReplicationMessage("s1", "run-1", 9, List.of(put("x", "y"))));
    assertEquals(1, transport.published.size());

    publisher.onArrived(transport.message(0));
    assertEquals(2, transport.published.size());
  }

  @Test
  void batchesHoldAtMostMaxBatchWritesInSubmissionOrder() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 2);
    for (int i = 0; i < 6; i++) {
      publisher.submit(put("k" + i, "v"));
    }
    List<List<Operation>> batches = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ReplicationMessage message = transport.message(i);
      assertEquals(i + 1, message.sequence());
      batches.add(message.operations());
      publisher.onArrived(message);
    }
    assertEquals(
        List.of(
            List.of(put("k0", "v")),
            List.of(put("k1", "v"), put("k2", "v")),
            List.of(put("k3", "v"), put("k4", "v")),
            List.of(put("k5", "v"))),
        batches);
  }

  @Test
  void aMessageThatNeverComesBackIsGivenUpWithItsWritesAndTheNextGoes() throws Exception {
    WritePublisher publisher = publisher(Duration.ofMillis(200), 100);
    CompletableFuture<Written> lost = publisher.submit(put("a", "1"));
    transport.ackAll();

    ExecutionException failure = assertThrows(lost);
    assertInstanceOf(WriteUnavailableException.class, failure.getCause());
    assertTrue(
        failure.getCause().getMessage().contains("write timeout"), failure.getCause().getMessage());

    // The lost message is let go by the same timeout that fails its write, in a callback that may
    // run just after the caller sees the failure: wait for it, briefly.
    publisher.submit(put("b", "2"));
    await("the next message, with nothing out")
        .atMost(Duration.ofSeconds(5))
        .until(() -> transport.published.size() == 2);
    assertEquals(List.of(put("b", "2")), transport.message(1).operations());
  }

  @Test
  void aMessageTheBrokerRefusesFailsItsWritesAndItsNumberIsReused() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    CompletableFuture<Written> refused = publisher.submit(put("a", "1"));
    CompletableFuture<Written> next = publisher.submit(put("b", "2"));

    transport
        .acks
        .get(0)
        .completeExceptionally(
            new PublishRefusedException(new IllegalStateException("quota exceeded")));

    ExecutionException failure = assertThrows(refused);
    assertInstanceOf(WriteUnavailableException.class, failure.getCause());
    assertTrue(
        failure.getCause().getMessage().contains("quota exceeded"),
        failure.getCause().getMessage());
    assertEquals(2, transport.published.size());
    ReplicationMessage retry = transport.message(1);
    assertEquals(1, retry.sequence(), "no gap in our sequence for a message the broker never took");
    assertEquals(List.of(put("b", "2")), retry.operations());
    assertFalse(next.isDone());
  }

  @Test
  void aMessageThatMayHaveReachedTheBrokerKeepsItsNumber() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    CompletableFuture<Written> lost = publisher.submit(put("a", "1"));
    publisher.submit(put("b", "2"));

    transport.acks.get(0).completeExceptionally(new IllegalStateException("connection closed"));

    assertInstanceOf(WriteUnavailableException.class, assertThrows(lost).getCause());
    assertEquals(2, transport.published.size());
    assertEquals(
        2,
        transport.message(1).sequence(),
        "if the broker has #1 after all, #2 must not pass for it");
  }

  @Test
  void aTransportThatThrowsFailsTheWritesAndTheNextGoes() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    transport.throwOnPublish = true;
    CompletableFuture<Written> first = publisher.submit(put("a", "1"));
    assertInstanceOf(WriteUnavailableException.class, assertThrows(first).getCause());

    transport.throwOnPublish = false;
    publisher.submit(put("b", "2"));
    assertEquals(1, transport.published.size());
    assertEquals(
        1, transport.message(0).sequence(), "the broker never saw #1: its number is reused");
  }

  @Test
  void closingFailsWaitingAndOutstandingWritesAndRefusesNewOnes() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    CompletableFuture<Written> out = publisher.submit(put("a", "1"));
    CompletableFuture<Written> waiting = publisher.submit(put("b", "2"));

    publisher.close();

    assertInstanceOf(ShutdownException.class, assertThrows(out).getCause());
    assertInstanceOf(ShutdownException.class, assertThrows(waiting).getCause());
    assertInstanceOf(
        ShutdownException.class, assertThrows(publisher.submit(put("c", "3"))).getCause());
    assertEquals(1, transport.published.size());
  }

  @Test
  void whileAPeerIsTooFarBehindWritesWaitAndResumePublishesThemAsOneBatch() throws Exception {
    AtomicBoolean mayPublish = new AtomicBoolean(false);
    WritePublisher publisher =
        new WritePublisher(
            SELF, transport, codec, Duration.ofSeconds(10), 100, Long.MAX_VALUE, mayPublish::get);
    CompletableFuture<Written> a = publisher.submit(put("a", "1"));
    CompletableFuture<Written> b = publisher.submit(put("b", "2"));
    CompletableFuture<Written> c = publisher.submit(put("c", "3"));
    assertTrue(transport.published.isEmpty(), "held back: nothing published");

    publisher.resume();
    assertTrue(transport.published.isEmpty(), "resume changes nothing while mayPublish is false");
    assertFalse(a.isDone() || b.isDone() || c.isDone(), "held writes wait, they do not fail");

    mayPublish.set(true);
    publisher.resume();
    assertEquals(1, transport.published.size());
    assertEquals(
        List.of(put("a", "1"), put("b", "2"), put("c", "3")), transport.message(0).operations());
    assertEquals(1, transport.message(0).sequence());
    publisher.resume();
    assertEquals(1, transport.published.size(), "nothing waits any more");

    publisher.onArrived(transport.message(0));
    publisher.onApplied(1, List.of(1, 1, 1), 3);
    assertEquals(new Written(1, 3), c.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aReturnWhileAPeerIsTooFarBehindLetsNothingOutUntilResume() throws Exception {
    AtomicBoolean mayPublish = new AtomicBoolean(true);
    WritePublisher publisher =
        new WritePublisher(
            SELF, transport, codec, Duration.ofSeconds(10), 100, Long.MAX_VALUE, mayPublish::get);
    publisher.submit(put("a", "1"));
    publisher.submit(put("b", "2"));
    publisher.submit(put("c", "3"));
    assertEquals(1, transport.published.size());

    mayPublish.set(false);
    publisher.onArrived(transport.message(0));
    assertEquals(1, transport.published.size(), "our message came back, but a peer trails too far");

    mayPublish.set(true);
    publisher.resume();
    assertEquals(2, transport.published.size());
    assertEquals(List.of(put("b", "2"), put("c", "3")), transport.message(1).operations());
    assertEquals(2, transport.message(1).sequence());
  }

  @Test
  void resumeWhileAMessageIsOutPublishesNothing() throws Exception {
    WritePublisher publisher = publisher(Duration.ofSeconds(10), 100);
    publisher.submit(put("a", "1"));
    publisher.submit(put("b", "2"));
    publisher.resume();
    assertEquals(1, transport.published.size(), "one message out at a time, resume or not");
  }

  @Test
  void withoutTheBrokerWritesFailAtOnce() throws Exception {
    transport.connected = false;
    CompletableFuture<Written> write = publisher(Duration.ofSeconds(10), 100).submit(put("a", "1"));
    assertInstanceOf(WriteUnavailableException.class, assertThrows(write).getCause());
    assertTrue(transport.published.isEmpty());
  }

  private static Operation put(String key, String value) {
    return new Operation.Put(key, value);
  }

  private static ExecutionException assertThrows(CompletableFuture<?> future) {
    return org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
  }

  /** Records what is published; each publish is acked only when a test says so. */
  private final class RecordingTransport implements ReplicationTransport {
    final List<byte[]> published = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> acks = new CopyOnWriteArrayList<>();
    volatile boolean connected = true;
    volatile boolean throwOnPublish;

    ReplicationMessage message(int index) throws MalformedMessageException {
      return (ReplicationMessage) codec.decode(published.get(index));
    }

    void ackAll() {
      acks.forEach(ack -> ack.complete(null));
    }

    @Override
    public void start(Listener listener, byte[] presence) {}

    @Override
    public CompletableFuture<Void> publish(byte[] payload) {
      if (throwOnPublish) {
        throw new IllegalStateException("transport broken");
      }
      CompletableFuture<Void> ack = new CompletableFuture<>();
      published.add(payload);
      acks.add(ack);
      return ack;
    }

    @Override
    public CompletableFuture<Void> sendState(String replyTopic, byte[] payload) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public String replyTopic() {
      return "reply";
    }

    @Override
    public boolean isConnected() {
      return connected;
    }

    @Override
    public void close() {}
  }
}
