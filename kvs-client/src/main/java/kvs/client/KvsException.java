package kvs.client;

import java.util.Objects;

/** The one exception a {@link KvsClient} throws; {@link #code()} says what went wrong. */
public final class KvsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a call failed. */
  public enum Code {
    /** The server answered, but refused the request (for example an invalid key or value). */
    REJECTED,
    /**
     * No server could be reached, or the connection broke, or the servers tried were behind the
     * client's position; what the last attempt got, after the retries.
     */
    UNAVAILABLE,
    /**
     * The server is up but was catching up with its peers (after it started, or after it missed
     * replication messages) for longer than the call could wait; trying again shortly may succeed.
     * On the wire, gRPC {@code UNAVAILABLE} with a {@code google.rpc.ErrorInfo} detail of domain
     * {@code kvs}, reason {@code CATCHING_UP}.
     */
    CATCHING_UP,
    /** The server did not answer within the deadline. */
    DEADLINE_EXCEEDED,
    /** The call was cancelled, by the server or by the channel shutting down. */
    CANCELLED,
    /** The calling thread was interrupted while waiting; its interrupt flag is set again. */
    INTERRUPTED,
    /**
     * A watch asked for changes no server still holds (on the wire, {@code OUT_OF_RANGE} with
     * reason {@code HISTORY_TRIMMED}); the message names the oldest position a server holds.
     */
    HISTORY_TRIMMED,
    /**
     * A watch's listener took its changes more slowly than they came, until the server no longer
     * held the ones it had still to take (reason {@code WATCH_TOO_SLOW}).
     */
    WATCH_TOO_SLOW,
    /** The server failed the call with another error, or answered outside the protocol. */
    SERVER_ERROR
  }

  private final Code code;

  /**
   * Creates an exception.
   *
   * @param code what went wrong
   * @param message a one-line description
   * @param cause the underlying exception, or {@code null}
   */
  public KvsException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * Creates an exception without a cause.
   *
   * @param code what went wrong
   * @param message a one-line description
   */
  public KvsException(Code code, String message) {
    this(code, message, null);
  }

  /**
   * Returns what went wrong.
   *
   * @return the code
   */
  public Code code() {
    return code;
  }
}
