package kvs.core.replication;

import java.util.Optional;

/** A replication message that cannot be read; it is skipped, never applied in part. */
public final class MalformedMessageException extends Exception {
  private final String origin;

  MalformedMessageException(String message, String origin) {
    super(message);
    this.origin = origin;
  }

  /** The origin the message claimed, when it got that far. */
  public Optional<String> origin() {
    return Optional.ofNullable(origin);
  }
}
