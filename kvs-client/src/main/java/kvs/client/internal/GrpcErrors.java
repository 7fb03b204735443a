package kvs.client.internal;

import io.grpc.Status;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;

/** Turns gRPC failures into {@link KvsException}s. */
final class GrpcErrors {

  /** The description of the server's UNAVAILABLE while it catches up with its peers. */
  static final String CATCHING_UP = "catching up";

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
    return new KvsException(codeOf(status), describe(status), failure);
  }

  private static Code codeOf(Status status) {
    switch (status.getCode()) {
      case UNAVAILABLE:
        return isCatchingUp(status) ? Code.CATCHING_UP : Code.UNAVAILABLE;
      case DEADLINE_EXCEEDED:
        return Code.DEADLINE_EXCEEDED;
      case CANCELLED:
        // grpc-java cancels a blocking call whose thread is interrupted, and sets the flag again.
        return Thread.currentThread().isInterrupted() ? Code.INTERRUPTED : Code.CANCELLED;
      default:
        return Code.SERVER_ERROR;
    }
  }

  /** A KVS server that is catching up answers UNAVAILABLE with this description. */
  private static boolean isCatchingUp(Status status) {
    return status.getDescription() != null && status.getDescription().startsWith(CATCHING_UP);
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
