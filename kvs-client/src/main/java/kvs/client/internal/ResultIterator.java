package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;

/**
 * The blocking end of a streaming call: a sink the call fills, and an iterator the caller drains.
 * The queue never holds more than the results requested, a few more each time the caller takes one,
 * so a slow caller slows the server down instead of filling memory.
 *
 * @param <R> the result type
 */
final class ResultIterator<R> implements ResultSink<R>, Iterator<R> {

  private static final Object END = new Object();

  private record Failure(Throwable cause) {}

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile ClientCallStreamObserver<?> call;
  private Object next;
  private boolean ended;

  /** A stream over the results; closing it cancels the call unless it has ended. */
  Stream<R> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  @Override
  public void started(ClientCallStreamObserver<?> call) {
    this.call = call;
  }

  @Override
  public void result(R result) {
    queue.add(result);
  }

  @Override
  public void failed(Throwable failure) {
    queue.add(new Failure(failure));
  }

  @Override
  public void completed() {
    queue.add(END);
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      next = take();
    }
    if (next instanceof Failure failure) {
      throw GrpcErrors.forCaller(failure.cause());
    }
    return next != END;
  }

  @Override
  @SuppressWarnings("unchecked")
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    R result = (R) next;
    next = null;
    call.request(1);
    return result;
  }

  private Object take() {
    try {
      Object taken = queue.take();
      if (taken == END || taken instanceof Failure) {
        ended = true;
      }
      return taken;
    } catch (InterruptedException e) {
      call.cancel("the caller was interrupted", e);
      Thread.currentThread().interrupt();
      throw new KvsException(Code.INTERRUPTED, "interrupted while waiting for the server", e);
    }
  }

  private void close() {
    if (!ended) {
      call.cancel("the caller closed the results", null);
    }
  }
}
