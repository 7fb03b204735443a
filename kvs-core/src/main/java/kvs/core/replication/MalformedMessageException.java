package kvs.core.replication;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Optional;

/** A replication message that cannot be read; it is skipped, never applied in part. */
public final class MalformedMessageException extends Exception {
  private final String origin;

  MalformedMessageException(String message, String origin) {
    super(message);
    this.origin = origin;
  }

  /**
   * {@code what} could not be parsed: the parser's reason, on one line (Jackson adds the location
   * on a second).
   */
  static MalformedMessageException notJson(String what, IOException e) {
    String why =
        e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
    return new MalformedMessageException(what + " is not JSON: " + why, null);
  }

  /** The origin the message claimed, when it got that far. */
  public Optional<String> origin() {
    return Optional.ofNullable(origin);
  }
}
