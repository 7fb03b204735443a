package kvs.server.replication;

/**
 * A write could not be replicated now (broker away, or no answer in time); it was not applied by
 * us.
 */
public final class WriteUnavailableException extends RuntimeException {
  public WriteUnavailableException(String message) {
    super(message, null, false, false);
  }
}
