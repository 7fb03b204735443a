package kvs.bench;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import kvs.proto.ChaveValor;
import kvs.proto.Versao;

/**
 * One InsereVarias stream: sends its items while the transport is ready (flow control), counts the
 * answers, and completes once the server closes the stream.
 */
final class BatchCall extends ClientCall.Listener<Versao> {
  private final ClientCall<ChaveValor, Versao> call;
  private final long first;
  private final int n;
  private final LongFunction<String> keys;
  private final LongFunction<String> values;
  private final LongConsumer positions;
  private final Completion done;

  // Sending: guarded by this (the caller's thread and onReady on a transport thread).
  private int sent;
  private boolean halfClosed;

  // Answers: delivered one at a time by gRPC.
  private long answered;
  private long rejected;
  private String firstRejected;

  BatchCall(
      ClientCall<ChaveValor, Versao> call,
      long first,
      int n,
      LongFunction<String> keys,
      LongFunction<String> values,
      LongConsumer positions,
      Completion done) {
    this.call = call;
    this.first = first;
    this.n = n;
    this.keys = keys;
    this.values = values;
    this.positions = positions;
    this.done = done;
  }

  void start() {
    call.start(this, new Metadata());
    call.request(n);
    send();
  }

  private synchronized void send() {
    while (sent < n && call.isReady()) {
      long item = first + sent++;
      call.sendMessage(
          ChaveValor.newBuilder().setChave(keys.apply(item)).setValor(values.apply(item)).build());
    }
    if (sent == n && !halfClosed) {
      halfClosed = true;
      call.halfClose();
    }
  }

  @Override
  public void onReady() {
    send();
  }

  @Override
  public void onMessage(Versao answer) {
    answered++;
    if (answer.getVersao() < 1) {
      if (rejected++ == 0) {
        firstRejected =
            "InsereVarias item "
                + (answered - 1)
                + " ("
                + keys.apply(first + answered - 1)
                + ") answered "
                + answer.getVersao();
      }
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (!status.isOk()) {
      done.complete(Outcome.of(status));
      return;
    }
    long position = KvsDriver.position(trailers);
    if (position >= 0) {
      positions.accept(position);
    }
    if (answered != n) {
      done.complete(
          Outcome.failed(
              "SHORT_STREAM", "InsereVarias answered " + answered + " of " + n + " items"));
    } else {
      done.complete(Outcome.partly(n - rejected, rejected, "REJECTED", firstRejected));
    }
  }
}
