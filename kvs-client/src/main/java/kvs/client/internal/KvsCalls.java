package kvs.client.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import kvs.client.Entry;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;

/**
 * The three shapes of call the client makes, on its channel (already intercepted for the KVS
 * metadata), each with a deadline: unary calls as futures, batches over bidirectional streams and
 * the snapshot's server stream into a {@link ResultSink}. Nothing here waits.
 */
final class KvsCalls {

  private final Channel channel;

  KvsCalls(Channel channel) {
    this.channel = channel;
  }

  /** The channel, for calls of other services (watches). */
  Channel channel() {
    return channel;
  }

  /**
   * Starts a unary call. The future completes when the call has closed, after its trailers were
   * read (a write's position is known by then), and fails with a {@code KvsException}, from gRPC's
   * failure or from {@code result}; cancelling it cancels the call.
   */
  <ReqT, RespT, R> CompletableFuture<R> unary(
      MethodDescriptor<ReqT, RespT> method,
      ReqT request,
      Duration deadline,
      Function<RespT, R> result) {
    return unary(method, request, deadline, (reply, error) -> result.apply(reply));
  }

  /**
   * Starts a unary write, as {@link #unary(MethodDescriptor, Object, Duration, Function)}; {@code
   * result} also gets the server's reason for a -1 ({@code kvs-error}), if it gave one.
   */
  <ReqT, RespT, R> CompletableFuture<R> unary(
      MethodDescriptor<ReqT, RespT> method,
      ReqT request,
      Duration deadline,
      BiFunction<RespT, Optional<String>, R> result) {
    AtomicReference<String> error = new AtomicReference<>();
    ClientCall<ReqT, RespT> call =
        channel.newCall(method, options(deadline).withOption(RequestMetadata.WRITE_ERROR, error));
    CompletableFuture<R> future = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        call,
        request,
        new StreamObserver<>() {
          private RespT reply;

          @Override
          public void onNext(RespT reply) {
            this.reply = reply;
          }

          @Override
          public void onError(Throwable failure) {
            future.completeExceptionally(GrpcErrors.translate(failure));
          }

          @Override
          public void onCompleted() {
            try {
              future.complete(result.apply(reply, Optional.ofNullable(error.get())));
            } catch (RuntimeException e) {
              future.completeExceptionally(e);
            }
          }
        });
    future.whenComplete(
        (ignored, failure) -> {
          if (future.isCancelled()) {
            call.cancel("the caller cancelled the future", null);
          }
        });
    return future;
  }

  /** Starts a batch; {@code items} must have at least one item left. */
  <I, ReqT, RespT, R> void batch(
      MethodDescriptor<ReqT, RespT> method,
      Iterator<? extends I> items,
      Function<I, ReqT> toWire,
      BiFunction<I, RespT, R> toResult,
      Duration deadline,
      ResultSink<R> sink) {
    ClientCall<ReqT, RespT> call = channel.newCall(method, options(deadline));
    ClientCalls.asyncBidiStreamingCall(call, new BatchObserver<>(items, toWire, toResult, sink));
  }

  /** Starts a snapshot. */
  void snapshot(int version, Duration deadline, ResultSink<Entry> sink) {
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(KVSGrpc.getSnapshotMethod(), options(deadline)),
        Versao.newBuilder().setVersao(version).build(),
        new SnapshotObserver(sink));
  }

  private static CallOptions options(Duration deadline) {
    return CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }
}
