package kvs.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import kvs.core.Entry;
import kvs.core.VersionedStore;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.replication.ShutdownException;
import kvs.server.replication.WriteUnavailableException;

/**
 * The wire's in-band results, in one place: -1 and the blank Tupla for what the contract can
 * express, gRPC statuses for what it cannot.
 */
final class WireResults {
  static final Tupla BLANK = Tupla.getDefaultInstance();
  static final Versao FAILED = versao(VersionedStore.FAILED);

  private WireResults() {}

  static Versao versao(int version) {
    return Versao.newBuilder().setVersao(version).build();
  }

  static Tupla tupla(Optional<Entry> entry) {
    return entry.map(WireResults::tupla).orElse(BLANK);
  }

  static Tupla tupla(Entry entry) {
    return Tupla.newBuilder()
        .setChave(entry.key())
        .setValor(entry.value())
        .setVersao(entry.version())
        .build();
  }

  /** True when {@code error} is a write that could not be replicated: the contract's -1. */
  static boolean isUnavailableWrite(Throwable error) {
    return unwrap(error) instanceof WriteUnavailableException;
  }

  /**
   * The gRPC failure (status and trailers, so a reason detail survives) for errors the contract has
   * no room for.
   */
  static StatusRuntimeException failure(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof StatusRuntimeException failure) {
      return failure;
    }
    if (cause instanceof ShutdownException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL
        .withDescription("internal error: " + cause)
        .withCause(cause)
        .asRuntimeException();
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
