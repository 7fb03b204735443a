package kvs.server.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import kvs.core.InputRules;
import kvs.core.replication.Operation;
import kvs.core.replication.SizeLimits;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.KvsErrorReason;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.replication.ServingState;
import kvs.server.replication.WritePublisher;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kvs.KVS} service: translates the wire to the replica (reads) and the publisher
 * (writes) and back. The only class that speaks the contract's Portuguese names. Handlers never
 * block: a write completes its call when this server has applied it from the stream.
 */
public final class KvsService extends KVSGrpc.KVSImplBase {
  private static final Logger log = LoggerFactory.getLogger(KvsService.class);

  /** How long a read waits for this server to reach the position its client asks for. */
  static final Duration READ_WAIT = Duration.ofSeconds(5);

  private static final String TOO_SHORT =
      "INVALID_INPUT: keys and values have " + InputRules.MIN_LENGTH + " characters or more";

  private final Replica replica;
  private final WritePublisher publisher;
  private final ServingState serving;
  private final Duration catchUpWait;
  private final SizeLimits limits;
  private final BiConsumer<String, String> writeOutcomes;

  /**
   * {@code serving}: checked for every item of a stream (calls wait for it as they start, see
   * {@link HoldWhileCatchingUp}); an item that meets a catch-up waits up to {@code catchUpWait}. A
   * write over {@code limits} answers -1.
   */
  public KvsService(
      Replica replica,
      WritePublisher publisher,
      ServingState serving,
      Duration catchUpWait,
      SizeLimits limits) {
    this(replica, publisher, serving, catchUpWait, limits, (operation, result) -> {});
  }

  /**
   * As above; {@code writeOutcomes} hears of every write answered: its operation ({@code insere},
   * {@code remove}) and result ({@code ok}: applied; {@code refused}: -1 for its input or a limit;
   * {@code failed}: -1, not replicated).
   */
  public KvsService(
      Replica replica,
      WritePublisher publisher,
      ServingState serving,
      Duration catchUpWait,
      SizeLimits limits,
      BiConsumer<String, String> writeOutcomes) {
    this.writeOutcomes = writeOutcomes;
    this.replica = replica;
    this.publisher = publisher;
    this.serving = serving;
    this.catchUpWait = catchUpWait;
    this.limits = limits;
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> reply) {
    CallMetadata.Call call = CallMetadata.current();
    answer(put(request, call, call.requestId()), reply);
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> reply) {
    CallMetadata.Call call = CallMetadata.current();
    answer(afterMinPosition(call).thenApply(ignored -> get(request, call)), reply);
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> reply) {
    CallMetadata.Call call = CallMetadata.current();
    answer(remove(request, call, call.requestId()), reply);
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    CallMetadata.Call call = CallMetadata.current();
    AtomicLong items = new AtomicLong();
    return new OrderedReplies<>(
        replies,
        request -> {
          long item = items.getAndIncrement();
          return whileCaughtUp(() -> put(request, call.item(item), itemId(call, item)));
        });
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    CallMetadata.Call call = CallMetadata.current();
    CompletableFuture<Void> ready = afterMinPosition(call);
    return new OrderedReplies<>(
        replies, request -> whileCaughtUp(() -> ready.thenApply(ignored -> get(request, call))));
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    CallMetadata.Call call = CallMetadata.current();
    AtomicLong items = new AtomicLong();
    return new OrderedReplies<>(
        replies,
        request -> {
          long item = items.getAndIncrement();
          return whileCaughtUp(() -> remove(request, call.item(item), itemId(call, item)));
        });
  }

  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> reply) {
    CallMetadata.Call call = CallMetadata.current();
    SnapshotStream stream =
        new SnapshotStream(
            (ServerCallStreamObserver<Tupla>) reply, replica, request.getVersao(), call);
    stream.startAfter(afterMinPosition(call));
  }

  private Tupla get(ChaveVersao request, CallMetadata.Call call) {
    call.reflects(replica.position());
    return WireResults.tupla(replica.get(request.getChave(), versionOrNewest(request)));
  }

  /** Read-your-writes: a read waits (bounded) until this server has applied what the client saw. */
  private CompletableFuture<Void> afterMinPosition(CallMetadata.Call call) {
    if (call.minPosition().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long target = call.minPosition().getAsLong();
    return replica
        .awaitPosition(target)
        .orTimeout(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    KvsErrorReason.BEHIND_POSITION.toException(
                        Status.Code.UNAVAILABLE,
                        "behind position " + target + " (at " + replica.position() + ")")));
  }

  private static Optional<String> itemId(CallMetadata.Call call, long index) {
    return call.requestId().map(id -> id + "#" + index);
  }

  private CompletableFuture<Versao> put(
      ChaveValor request, CallMetadata.Call call, Optional<String> id) {
    if (!InputRules.isValid(request.getChave()) || !InputRules.isValid(request.getValor())) {
      return refused("insere", call, TOO_SHORT);
    }
    return replicate(new Operation.Put(request.getChave(), request.getValor(), id), call);
  }

  private CompletableFuture<Versao> remove(
      ChaveVersao request, CallMetadata.Call call, Optional<String> id) {
    if (!InputRules.isValid(request.getChave())) {
      return refused("remove", call, TOO_SHORT);
    }
    return replicate(new Operation.Remove(request.getChave(), versionOrNewest(request), id), call);
  }

  /**
   * The write's answer; -1 when it could not be replicated, the failure otherwise. A retry of a
   * write this server has applied is answered at once, with that write's answer: it is what the
   * retry would answer after a trip through the stream (behind everything queued before it).
   */
  private CompletableFuture<Versao> replicate(Operation operation, CallMetadata.Call call) {
    String name = operation instanceof Operation.Put ? "insere" : "remove";
    Optional<String> overLimit = limits.refusal(operation);
    if (overLimit.isPresent()) {
      return refused(name, call, overLimit.get());
    }
    if (operation.requestId().isPresent()) {
      OptionalInt earlier = replica.earlierAnswer(operation.requestId().get());
      if (earlier.isPresent()) {
        call.reflects(replica.position()); // read after: at or past where the write was applied
        writeOutcomes.accept(name, "ok");
        return CompletableFuture.completedFuture(WireResults.versao(earlier.getAsInt()));
      }
    }
    return publisher
        .submit(operation)
        .thenApply(
            written -> {
              call.reflects(written.position());
              writeOutcomes.accept(name, "ok");
              return WireResults.versao(written.answer());
            })
        .exceptionallyCompose(
            error -> {
              if (WireResults.isUnavailableWrite(error)) {
                String reason = WireResults.unwrap(error).getMessage();
                log.warn("Answered -1 to a write of key '{}': {}", operation.key(), reason);
                writeOutcomes.accept(name, "failed");
                call.failed("NOT_REPLICATED: " + reason);
                return CompletableFuture.completedFuture(WireResults.FAILED);
              }
              return CompletableFuture.failedFuture(error);
            });
  }

  /**
   * A stream that outlives the start of a catch-up must not go on with a state about to be
   * replaced: its next item waits until the server has caught up (bounded), like a new call.
   */
  private <A> CompletableFuture<A> whileCaughtUp(Supplier<CompletableFuture<A>> item) {
    if (serving.caughtUp()) {
      return item.get();
    }
    return serving
        .whenServing()
        .orTimeout(catchUpWait.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            timedOut ->
                CompletableFuture.failedFuture(
                    KvsErrorReason.CATCHING_UP.toException(
                        Status.Code.UNAVAILABLE,
                        "catching up with its peers for longer than "
                            + catchUpWait.toMillis()
                            + " ms")))
        .thenCompose(ready -> item.get());
  }

  /** -1, with {@code reason} in the call's {@code kvs-error} trailer. */
  private CompletableFuture<Versao> refused(
      String operation, CallMetadata.Call call, String reason) {
    writeOutcomes.accept(operation, "refused");
    call.failed(reason);
    return CompletableFuture.completedFuture(WireResults.FAILED);
  }

  private static int versionOrNewest(ChaveVersao request) {
    // Absent and <= 0 mean the same on the wire: the newest (reads) or every version (removes).
    return request.hasVersao() ? request.getVersao() : 0;
  }

  private static <A> void answer(CompletableFuture<A> result, StreamObserver<A> reply) {
    result.whenComplete(
        (value, error) -> {
          if (error == null) {
            reply.onNext(value);
            reply.onCompleted();
          } else {
            reply.onError(WireResults.failure(error));
          }
        });
  }
}
