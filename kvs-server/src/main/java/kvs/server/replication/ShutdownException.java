package kvs.server.replication;

/** The server is shutting down; the write was abandoned. */
public final class ShutdownException extends RuntimeException {
  public ShutdownException() {
    super("the server is shutting down", null, false, false);
  }
}
