package kvs.server.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Operation;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.SizeLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns local writes into stream entries. A write is not applied here: it is published, and its
 * answer is whatever the state machine computes when this server applies its own message in stream
 * order (see {@link #onApplied}).
 *
 * <p>One message is out at a time: from its publish until it comes back to us through the stream.
 * Writes that arrive meanwhile, from any client, wait and go out together as the next message (one
 * stream entry, applied in order). Waiting for the message's return, not only for the broker's ack,
 * clocks our publishing to the broker's pace of delivery: when its fan-out falls behind, our
 * messages come back later and carry more writes each, so the message rate falls as the load rises,
 * instead of piling up in the broker's queues.
 *
 * <p>Our own message's return says nothing of slower peers, so the next message also waits while
 * {@code mayPublish} says a live peer is too far behind (see {@link FlowControl}); {@link #resume}
 * is called when that may have changed.
 */
public final class WritePublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WritePublisher.class);

  private final ReplicaIdentity identity;
  private final ReplicationTransport transport;
  private final MessageCodec codec;
  private final Duration writeTimeout;
  private final int maxBatch;
  private final long maxBatchBytes;
  private final BooleanSupplier mayPublish;

  private final Object lock = new Object();
  private final List<PendingWrite> waiting = new ArrayList<>(); // guarded by lock
  private Batch out; // the message out, null when none; guarded by lock
  private boolean closed; // guarded by lock
  private long nextSequence = 1; // guarded by lock

  /** Published messages whose results we wait for, by sequence number. */
  private final Map<Long, List<PendingWrite>> awaitingApply = new ConcurrentHashMap<>();

  public WritePublisher(
      ReplicaIdentity identity,
      ReplicationTransport transport,
      MessageCodec codec,
      Duration writeTimeout,
      int maxBatch,
      long maxBatchBytes,
      BooleanSupplier mayPublish) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    this.maxBatchBytes = maxBatchBytes;
    this.identity = identity;
    this.transport = transport;
    this.codec = codec;
    this.writeTimeout = writeTimeout;
    this.maxBatch = maxBatch;
    this.mayPublish = mayPublish;
  }

  /** A publisher that never holds back for its peers. */
  public WritePublisher(
      ReplicaIdentity identity,
      ReplicationTransport transport,
      MessageCodec codec,
      Duration writeTimeout,
      int maxBatch) {
    this(identity, transport, codec, writeTimeout, maxBatch, Long.MAX_VALUE, () -> true);
  }

  /**
   * Publishes the writes that wait, if no message is out and they may go now: called when what
   * {@code mayPublish} depends on changed (a peer reported progress, or went away).
   */
  public void resume() {
    Batch next;
    synchronized (lock) {
      next = out != null || closed ? null : takeBatch();
    }
    if (next != null) {
      publish(next);
    }
  }

  /**
   * Replicates {@code operation}; completes with the state machine's answer for it once this server
   * has applied it, or fails with {@link WriteUnavailableException} when the broker is away or the
   * write takes longer than the write timeout, or with {@link ShutdownException}.
   */
  public CompletableFuture<Written> submit(Operation operation) {
    if (!transport.isConnected()) {
      return CompletableFuture.failedFuture(
          new WriteUnavailableException("not connected to the broker"));
    }
    PendingWrite write = new PendingWrite(operation, new CompletableFuture<>());
    Batch batch;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new ShutdownException());
      }
      waiting.add(write);
      batch = out != null ? null : takeBatch();
    }
    if (batch != null) {
      publish(batch);
    }
    return write
        .result
        .orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(WritePublisher::explainTimeout);
  }

  /**
   * Called for every message of the stream as it arrives, before it is applied or buffered: when it
   * is the message we have out, the next one may go.
   */
  public void onArrived(ReplicationMessage message) {
    if (message.origin().equals(identity.serverId()) && message.run().equals(identity.run())) {
      Batch back;
      synchronized (lock) {
        back = out != null && out.sequence() == message.sequence() ? out : null;
      }
      if (back != null) {
        released(back);
      }
    }
  }

  /**
   * Called, in stream order, after a message from this run of this server was applied: completes
   * the writes it carried with their results.
   */
  public void onApplied(long sequence, List<Integer> results, long position) {
    List<PendingWrite> writes = awaitingApply.remove(sequence);
    if (writes == null) {
      return; // timed out and given up, or published by a previous incarnation
    }
    for (int i = 0; i < writes.size(); i++) {
      writes.get(i).result.complete(new Written(results.get(i), position));
    }
  }

  /** The identity our messages carry. */
  public ReplicaIdentity identity() {
    return identity;
  }

  /** Fails every write still waiting; later submissions fail at once. */
  @Override
  public void close() {
    List<PendingWrite> abandoned;
    synchronized (lock) {
      closed = true;
      abandoned = new ArrayList<>(waiting);
      waiting.clear();
    }
    awaitingApply.values().forEach(abandoned::addAll);
    awaitingApply.clear();
    abandoned.forEach(w -> w.result.completeExceptionally(new ShutdownException()));
  }

  // Called with lock held, when no message is out: the next batch, numbered and marked as out,
  // or null (none waits, or a peer is too far behind: see resume()). Writes already answered
  // (timed out with -1) are dropped: publishing them now would apply an answered -1.
  private Batch takeBatch() {
    waiting.removeIf(w -> w.result.isDone());
    if (waiting.isEmpty() || !mayPublish.getAsBoolean()) {
      return null;
    }
    // At most maxBatch writes and maxBatchBytes of them (as encoded), and always the first.
    int size = 1;
    long bytes = SizeLimits.encodedSize(waiting.get(0).operation);
    while (size < Math.min(waiting.size(), maxBatch)) {
      bytes += SizeLimits.encodedSize(waiting.get(size).operation);
      if (bytes > maxBatchBytes) {
        break;
      }
      size++;
    }
    List<PendingWrite> writes = new ArrayList<>(waiting.subList(0, size));
    waiting.subList(0, size).clear();
    out = new Batch(nextSequence++, writes);
    return out;
  }

  private void publish(Batch next) {
    long sequence = next.sequence();
    List<PendingWrite> batch = next.writes();
    CompletableFuture<Void> sent;
    try {
      List<Operation> operations = new ArrayList<>(batch.size());
      batch.forEach(w -> operations.add(w.operation));
      byte[] payload =
          codec.encode(
              // The wall clock, read here only: it gives the stream the time the state machines
              // expire remembered request ids by (the stream's time, the same on every server).
              new ReplicationMessage(
                  identity.serverId(),
                  identity.run(),
                  sequence,
                  operations,
                  System.currentTimeMillis()));
      // Registered before publishing: our own message may come back before the broker's ack.
      awaitingApply.put(sequence, batch);
      sent = transport.publish(payload);
    } catch (RuntimeException | Error e) {
      sent = CompletableFuture.failedFuture(new PublishRefusedException(e));
    }
    sent.orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                failed(next, unwrap(error));
              }
            });
    // Only now, so that no later message can go out before this one: once every write is
    // answered (or given up on, when the message was lost), the next may go.
    CompletableFuture.allOf(batch.stream().map(w -> w.result).toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              awaitingApply.remove(sequence);
              released(next);
            });
  }

  private void failed(Batch batch, Throwable error) {
    if (error instanceof PublishRefusedException) {
      // The broker surely did not take it: reuse its number, or every server would see a gap in
      // our sequence and re-sync. (When it may have taken it, a gap is the safe outcome.)
      synchronized (lock) {
        if (nextSequence == batch.sequence() + 1) {
          nextSequence = batch.sequence();
        }
      }
    }
    log.warn(
        "Publishing message {} ({} writes) failed: {}",
        batch.sequence(),
        batch.writes().size(),
        error.toString());
    WriteUnavailableException unavailable =
        new WriteUnavailableException(
            (error instanceof PublishRefusedException
                    ? "the broker did not take the write: "
                    : "publishing the write failed: ")
                + error);
    batch.writes().forEach(w -> w.result.completeExceptionally(unavailable));
    released(batch);
  }

  // `batch` is no longer out (it came back, was refused, or all its writes are answered):
  // publishes the next one, if `batch` was the one out.
  private void released(Batch batch) {
    Batch next;
    synchronized (lock) {
      if (out != batch) {
        return;
      }
      out = null;
      next = takeBatch(); // none once closed: close() empties the queue and submit refuses
    }
    if (next != null) {
      publish(next);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static CompletableFuture<Written> explainTimeout(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof TimeoutException) {
      return CompletableFuture.failedFuture(
          new WriteUnavailableException("the write was not replicated within the write timeout"));
    }
    return CompletableFuture.failedFuture(cause);
  }

  private record PendingWrite(Operation operation, CompletableFuture<Written> result) {}

  private record Batch(long sequence, List<PendingWrite> writes) {}

  /**
   * The outcome of one replicated write.
   *
   * @param answer the state machine's answer (a version, 0, or -1)
   * @param position the stream position this server was at right after applying it
   */
  public record Written(int answer, long position) {}
}
