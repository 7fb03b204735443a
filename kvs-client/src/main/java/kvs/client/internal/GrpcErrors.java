package kvs.client.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;
import kvs.proto.ConnectionTrouble;
import kvs.proto.KvsErrorReason;

/** Turns gRPC failures into {@link KvsException}s. */
final class GrpcErrors {

  private GrpcErrors() {}

  /**
   * Translates a failed call. Call it on the thread that made the call, so that an interrupted
   * caller is reported as {@link Code#INTERRUPTED}.
   */
  static KvsException translate(Throwable failure) {
    if (failure instanceof KvsException kvsException) {
      return kvsException;
    }
    Status status = Status.fromThrowable(failure);
    String message =
        ConnectionTrouble.explain(failure)
            .map(trouble -> status.getCode() + ": " + trouble)
            .orElseGet(() -> describe(status));
    return new KvsException(codeOf(status, failure), message, failure);
  }

  /**
   * The exception to throw on the caller's thread for a failure that happened on a gRPC thread: a
   * {@link KvsException} is wrapped in a new one with the same code and message, so that the stack
   * trace shows the caller; the caller's own exceptions (from its iterator or consumer) are
   * rethrown as they are.
   */
  static RuntimeException forCaller(Throwable failure) {
    if (failure instanceof KvsException kvsException) {
      return new KvsException(kvsException.code(), kvsException.getMessage(), kvsException);
    }
    if (isGrpc(failure) || !(failure instanceof RuntimeException)) {
      return translate(failure);
    }
    return (RuntimeException) failure;
  }

  /** What a future fails with: gRPC failures translated, everything else as it is. */
  static Throwable forFuture(Throwable failure) {
    return isGrpc(failure) ? translate(failure) : failure;
  }

  /**
   * Waits for a call's future on the caller's thread. An interrupted caller cancels the call, gets
   * its interrupt flag back, and a {@link Code#INTERRUPTED}.
   */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new KvsException(Code.INTERRUPTED, "interrupted while waiting for the server", e);
    } catch (ExecutionException e) {
      throw forCaller(e.getCause());
    }
  }

  private static boolean isGrpc(Throwable failure) {
    return failure instanceof StatusRuntimeException || failure instanceof StatusException;
  }

  private static Code codeOf(Status status, Throwable failure) {
    switch (status.getCode()) {
      case UNAVAILABLE:
        // The server says why in a status detail, not in words we would have to parse.
        return KvsErrorReason.of(failure).orElse(null) == KvsErrorReason.CATCHING_UP
            ? Code.CATCHING_UP
            : Code.UNAVAILABLE;
      case DEADLINE_EXCEEDED:
        return Code.DEADLINE_EXCEEDED;
      case OUT_OF_RANGE:
        KvsErrorReason reason = KvsErrorReason.of(failure).orElse(null);
        return reason == KvsErrorReason.HISTORY_TRIMMED
            ? Code.HISTORY_TRIMMED
            : reason == KvsErrorReason.WATCH_TOO_SLOW ? Code.WATCH_TOO_SLOW : Code.SERVER_ERROR;
      case CANCELLED:
        // grpc-java cancels a blocking call whose thread is interrupted, and sets the flag again.
        return Thread.currentThread().isInterrupted() ? Code.INTERRUPTED : Code.CANCELLED;
      default:
        return Code.SERVER_ERROR;
    }
  }

  /** One line: the status code, its description, and the transport's reason when there is one. */
  private static String describe(Status status) {
    StringBuilder text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null) {
      text.append(" (").append(cause.getMessage()).append(')');
    }
    return text.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
