package kvs.bench;

import io.grpc.Status;
import kvs.proto.ConnectionTrouble;

/**
 * What one request came back with: items that succeeded, reads that found nothing, and errors (a
 * gRPC error status, a -1 answer, a wrong value) of one kind with the first message.
 *
 * @param items items that succeeded (1 for a unary call, the stream's for a stream)
 * @param notFound reads answered "not found"
 * @param errors items or calls that failed
 * @param errorKind the kind of the errors (a gRPC status code, or REJECTED, WRONG_VALUE, ...)
 * @param errorMessage what the first error said
 */
record Outcome(long items, long notFound, long errors, String errorKind, String errorMessage) {
  private static final Outcome ONE = new Outcome(1, 0, 0, null, null);
  private static final Outcome NOT_FOUND = new Outcome(0, 1, 0, null, null);

  static Outcome ok(long items) {
    return items == 1 ? ONE : new Outcome(items, 0, 0, null, null);
  }

  static Outcome missing() {
    return NOT_FOUND;
  }

  static Outcome failed(String kind, String message) {
    return new Outcome(0, 0, 1, kind, message);
  }

  /** A stream where {@code failed} of its items were answered with an error. */
  static Outcome partly(long succeeded, long failed, String kind, String message) {
    return failed == 0 ? ok(succeeded) : new Outcome(succeeded, 0, failed, kind, message);
  }

  /** A call that ended with a gRPC error status. */
  static Outcome of(Status status) {
    String message =
        ConnectionTrouble.explain(status.asRuntimeException())
            .map(trouble -> status.getCode() + ": " + trouble)
            .orElseGet(() -> describe(status));
    return failed(status.getCode().name(), message);
  }

  /** The status as one line: "UNAVAILABLE: io exception (Connection refused: /127.0.0.1:9)". */
  static String describe(Status status) {
    StringBuilder text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    Throwable cause = status.getCause();
    while (cause != null && cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    if (cause != null && cause.getMessage() != null) {
      text.append(" (").append(cause.getMessage()).append(')');
    }
    return text.toString().replaceAll("\\s*[\\r\\n]+\\s*", " "); // descriptions may span lines
  }

  /** Whether the request got an answer that counts as an operation (and its latency is kept). */
  boolean answered() {
    return items > 0 || notFound > 0;
  }
}
