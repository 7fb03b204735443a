package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Queue;
import java.util.function.BiFunction;
import java.util.function.Function;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;

/**
 * One batch over a bidirectional stream whose server answers each request with exactly one reply,
 * in order. Takes the caller's items only while the stream {@linkplain
 * ClientCallStreamObserver#isReady() is ready} (gRPC's outbound flow control), half-closes after
 * the last, and pairs each reply with the item it answers. Replies are requested by the sink, a
 * {@link RequestWindow} at a time, so a slow consumer stops the server's replies, which stops the
 * server reading, which stops this from sending. Only the items sent and not yet answered are held,
 * and flow control bounds those.
 *
 * <p>Every callback runs on the call's serializing executor, one at a time, so the fields need no
 * locks.
 *
 * @param <I> the caller's item type
 * @param <ReqT> the request message
 * @param <RespT> the reply message
 * @param <R> the result type
 */
final class BatchObserver<I, ReqT, RespT, R> implements ClientResponseObserver<ReqT, RespT> {

  private final Iterator<? extends I> items;
  private final Function<I, ReqT> toWire;
  private final BiFunction<I, RespT, R> toResult;
  private final ResultSink<R> sink;
  private final Queue<I> unanswered = new ArrayDeque<>();
  private ClientCallStreamObserver<ReqT> requests;
  private boolean halfClosed;
  private long sent;
  private long answered;
  private Throwable localFailure;

  BatchObserver(
      Iterator<? extends I> items,
      Function<I, ReqT> toWire,
      BiFunction<I, RespT, R> toResult,
      ResultSink<R> sink) {
    this.items = items;
    this.toWire = toWire;
    this.toResult = toResult;
    this.sink = sink;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ReqT> requests) {
    this.requests = requests;
    RequestWindow.startOn(requests);
    requests.setOnReadyHandler(this::sendWhileReady);
    sink.started(requests);
  }

  private void sendWhileReady() {
    if (halfClosed || localFailure != null) {
      return;
    }
    try {
      while (requests.isReady() && items.hasNext()) {
        I item = items.next();
        ReqT request = toWire.apply(item);
        unanswered.add(item);
        sent++;
        requests.onNext(request);
      }
      if (!items.hasNext()) {
        halfClosed = true;
        requests.onCompleted();
      }
    } catch (RuntimeException e) { // the caller's iterator, or a null item
      fail(e);
    }
  }

  @Override
  public void onNext(RespT reply) {
    I item = unanswered.poll();
    if (item == null) {
      fail(new KvsException(Code.SERVER_ERROR, "server sent more answers than requests"));
      return;
    }
    answered++;
    sink.result(toResult.apply(item, reply));
  }

  @Override
  public void onError(Throwable failure) {
    sink.failed(localFailure != null ? localFailure : failure);
  }

  @Override
  public void onCompleted() {
    if (localFailure != null) {
      sink.failed(localFailure);
    } else if (!halfClosed || answered != sent) {
      sink.failed(
          new KvsException(
              Code.SERVER_ERROR,
              "server sent "
                  + answered
                  + " answers to "
                  + sent
                  + " requests"
                  + (halfClosed ? "" : " and ended the stream before the last")));
    } else {
      sink.completed();
    }
  }

  private void fail(Throwable failure) {
    if (localFailure == null) {
      localFailure = failure;
      requests.cancel(failure.getMessage(), failure);
    }
  }
}
