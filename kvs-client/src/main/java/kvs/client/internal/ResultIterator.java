package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;

/**
 * The blocking end of a streaming call: a sink the call fills, and an iterator the caller drains.
 * Results are requested a {@link RequestWindow} at a time as the caller takes them, so the queue
 * never holds more than {@link RequestWindow#SIZE} results (its capacity, plus room for the end),
 * and a slow caller slows the server down instead of filling memory.
 *
 * @param <R> the result type
 */
final class ResultIterator<R> implements ResultSink<R>, Iterator<R> {

  private static final Object END = new Object();

  private record Failure(Throwable cause) {}

  // Never full: the call delivers at most a window beyond what the caller took, and then its end
  // (the room left for the end is kept even if a call ever delivered more).
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(RequestWindow.SIZE + 1);
  private volatile ClientCallStreamObserver<?> call;
  private RequestWindow window; // set when the call starts, then the caller's alone, like next
  private KvsException overflow; // the call's executor only
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
    this.window = new RequestWindow(call);
  }

  // Cannot happen while the window holds: a call that delivers more fails rather than grow the
  // queue.
  @Override
  public void result(R result) {
    if (queue.size() >= RequestWindow.SIZE) {
      if (overflow == null) {
        overflow = new KvsException(Code.SERVER_ERROR, "received more results than requested");
        call.cancel(overflow.getMessage(), overflow);
      }
      return;
    }
    queue.add(result);
  }

  @Override
  public void failed(Throwable failure) {
    queue.add(new Failure(overflow != null ? overflow : failure));
  }

  @Override
  public void completed() {
    queue.add(overflow != null ? new Failure(overflow) : END);
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
    window.consumed();
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
