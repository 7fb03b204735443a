package kvs.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import kvs.core.Entry;
import kvs.core.InputRules;
import kvs.core.replication.Operation;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.Replica;
import kvs.server.replication.WritePublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kvs.KVS} service: translates the wire to the replica (reads) and the publisher
 * (writes) and back. The only class that speaks the contract's Portuguese names. Handlers never
 * block: a write completes its call when this server has applied it from the stream.
 */
public final class KvsService extends KVSGrpc.KVSImplBase {
  private static final Logger log = LoggerFactory.getLogger(KvsService.class);

  private final Replica replica;
  private final WritePublisher publisher;
  private final java.util.function.BooleanSupplier caughtUp;

  /** {@code caughtUp}: checked for every item of a stream (calls are checked as they start). */
  public KvsService(Replica replica, WritePublisher publisher, java.util.function.BooleanSupplier caughtUp) {
    this.replica = replica;
    this.publisher = publisher;
    this.caughtUp = caughtUp;
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> reply) {
    answer(put(request), reply);
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> reply) {
    reply.onNext(get(request));
    reply.onCompleted();
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> reply) {
    answer(remove(request), reply);
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    return new OrderedReplies<>(replies, request -> whileCaughtUp(() -> put(request)));
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    return new OrderedReplies<>(
        replies, request -> whileCaughtUp(() -> CompletableFuture.completedFuture(get(request))));
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    return new OrderedReplies<>(replies, request -> whileCaughtUp(() -> remove(request)));
  }

  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> reply) {
    List<Entry> entries = replica.snapshot(request.getVersao());
    if (entries.isEmpty()) {
      reply.onNext(WireResults.BLANK);
    }
    entries.forEach(entry -> reply.onNext(WireResults.tupla(entry)));
    reply.onCompleted();
  }

  private Tupla get(ChaveVersao request) {
    return WireResults.tupla(replica.get(request.getChave(), versionOrNewest(request)));
  }

  private CompletableFuture<Versao> put(ChaveValor request) {
    if (!InputRules.isValid(request.getChave()) || !InputRules.isValid(request.getValor())) {
      return CompletableFuture.completedFuture(WireResults.FAILED);
    }
    return replicate(new Operation.Put(request.getChave(), request.getValor()));
  }

  private CompletableFuture<Versao> remove(ChaveVersao request) {
    if (!InputRules.isValid(request.getChave())) {
      return CompletableFuture.completedFuture(WireResults.FAILED);
    }
    return replicate(new Operation.Remove(request.getChave(), versionOrNewest(request)));
  }

  /** The write's answer; -1 when it could not be replicated, the failure otherwise. */
  private CompletableFuture<Versao> replicate(Operation operation) {
    return publisher
        .submit(operation)
        .thenApply(WireResults::versao)
        .exceptionallyCompose(
            error -> {
              if (WireResults.isUnavailableWrite(error)) {
                log.warn(
                    "Answered -1 to a write of key '{}': {}",
                    operation.key(),
                    WireResults.unwrap(error).getMessage());
                return CompletableFuture.completedFuture(WireResults.FAILED);
              }
              return CompletableFuture.failedFuture(error);
            });
  }

  /** A stream that outlives a catch-up that starts under it must not go on with stale state. */
  private <A> CompletableFuture<A> whileCaughtUp(java.util.function.Supplier<CompletableFuture<A>> item) {
    if (!caughtUp.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          io.grpc.Status.UNAVAILABLE.withDescription("catching up").asRuntimeException());
    }
    return item.get();
  }

  private static int versionOrNewest(ChaveVersao request) {
    // Absent and <= 0 mean the same on the wire: the newest (reads) or every version (removes).
    return request.hasVersao() ? request.getVersao() : 0;
  }

  private static void answer(CompletableFuture<Versao> result, StreamObserver<Versao> reply) {
    result.whenComplete(
        (versao, error) -> {
          if (error == null) {
            reply.onNext(versao);
            reply.onCompleted();
          } else {
            reply.onError(WireResults.status(error).asRuntimeException());
          }
        });
  }
}
