package kvs.client.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import kvs.client.AsyncKvsClient;
import kvs.client.Entry;
import kvs.client.GetResult;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;
import kvs.client.PutResult;
import kvs.client.RemoveResult;
import kvs.client.ServerStatus;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.StatusRequest;

/** {@link AsyncKvsClient} over {@link KvsCalls}; the blocking client waits on these futures. */
final class GrpcAsyncKvsClient implements AsyncKvsClient {

  private final KvsCalls calls;
  private final Duration deadline;

  GrpcAsyncKvsClient(KvsCalls calls, Duration deadline) {
    this.calls = calls;
    this.deadline = deadline;
  }

  @Override
  public CompletableFuture<Integer> put(String key, String value) {
    return calls.unary(
        KVSGrpc.getInsereMethod(),
        WireMapper.toWire(KeyValue.of(key, value)),
        deadline,
        (Versao reply, Optional<String> reason) ->
            WireMapper.toPutResult(reply.getVersao())
                .orElseThrow(
                    () ->
                        new KvsException(
                            Code.REJECTED,
                            reason
                                .map(why -> "server refused the write: " + why)
                                .orElse(
                                    "server rejected key or value (answered "
                                        + reply.getVersao()
                                        + ")"))));
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(String key) {
    return get(KeyVersion.of(key));
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(String key, int version) {
    return get(KeyVersion.of(key, version));
  }

  private CompletableFuture<Optional<Entry>> get(KeyVersion item) {
    return calls.unary(
        KVSGrpc.getConsultaMethod(), WireMapper.toWire(item), deadline, WireMapper::toEntry);
  }

  @Override
  public CompletableFuture<Boolean> remove(String key) {
    return remove(KeyVersion.of(key));
  }

  @Override
  public CompletableFuture<Boolean> remove(String key, int version) {
    return remove(KeyVersion.of(key, version));
  }

  private CompletableFuture<Boolean> remove(KeyVersion item) {
    return calls.unary(
        KVSGrpc.getRemoveMethod(),
        WireMapper.toWire(item),
        deadline,
        reply -> WireMapper.removed(reply.getVersao()));
  }

  @Override
  public CompletableFuture<Void> putAll(
      Iterable<KeyValue> items, Consumer<? super PutResult> results) {
    Objects.requireNonNull(results, "results");
    ConsumerSink<PutResult> sink = new ConsumerSink<>(results);
    return putAll(items.iterator(), sink) ? sink.future() : CompletableFuture.completedFuture(null);
  }

  /** Starts the batch unless there is nothing to send; false when it did not. */
  boolean putAll(Iterator<KeyValue> items, ResultSink<PutResult> sink) {
    if (!items.hasNext()) {
      return false;
    }
    calls.batch(
        KVSGrpc.getInsereVariasMethod(),
        items,
        WireMapper::toWire,
        WireMapper::toPutResult,
        deadline,
        sink);
    return true;
  }

  @Override
  public CompletableFuture<Void> getAll(
      Iterable<KeyVersion> items, Consumer<? super GetResult> results) {
    Objects.requireNonNull(results, "results");
    ConsumerSink<GetResult> sink = new ConsumerSink<>(results);
    return getAll(items.iterator(), sink) ? sink.future() : CompletableFuture.completedFuture(null);
  }

  boolean getAll(Iterator<KeyVersion> items, ResultSink<GetResult> sink) {
    if (!items.hasNext()) {
      return false;
    }
    calls.batch(
        KVSGrpc.getConsultaVariasMethod(),
        items,
        WireMapper::toWire,
        WireMapper::toGetResult,
        deadline,
        sink);
    return true;
  }

  @Override
  public CompletableFuture<Void> removeAll(
      Iterable<KeyVersion> items, Consumer<? super RemoveResult> results) {
    Objects.requireNonNull(results, "results");
    ConsumerSink<RemoveResult> sink = new ConsumerSink<>(results);
    return removeAll(items.iterator(), sink)
        ? sink.future()
        : CompletableFuture.completedFuture(null);
  }

  boolean removeAll(Iterator<KeyVersion> items, ResultSink<RemoveResult> sink) {
    if (!items.hasNext()) {
      return false;
    }
    calls.batch(
        KVSGrpc.getRemoveVariasMethod(),
        items,
        WireMapper::toWire,
        WireMapper::toRemoveResult,
        deadline,
        sink);
    return true;
  }

  @Override
  public CompletableFuture<Void> snapshot(int version, Consumer<? super Entry> entries) {
    ConsumerSink<Entry> sink = new ConsumerSink<>(Objects.requireNonNull(entries, "entries"));
    snapshot(version, sink);
    return sink.future();
  }

  void snapshot(int version, ResultSink<Entry> sink) {
    calls.snapshot(version, deadline, sink);
  }

  @Override
  public CompletableFuture<ServerStatus> status() {
    return calls.unary(
        KvsAdminGrpc.getStatusMethod(),
        StatusRequest.getDefaultInstance(),
        deadline,
        WireMapper::toStatus);
  }

  @Override
  public AsyncKvsClient withDeadline(Duration deadline) {
    return new GrpcAsyncKvsClient(calls, GrpcKvsClient.positive(deadline));
  }
}
