package kvs.server.replication;

/**
 * The broker surely did not take a message: it said no, or the client was not connected to send it.
 * Other publish failures (a connection lost while the message was on its way) leave open whether
 * the broker has it.
 */
public final class PublishRefusedException extends RuntimeException {
  public PublishRefusedException(Throwable cause) {
    super(cause.getMessage(), cause);
  }
}
