package kvs.core.replication;

import java.util.Objects;

/**
 * What changed in a peer's state since a point it shared with a requester (see {@link
 * StateMachine#changesSince}): the records of the keys written since, the recent requests added
 * since, and the rest of the state whole, in {@code image}.
 *
 * @param base the position of the shared point
 * @param stateDigest the peer's {@link StateMachine#stateDigest} after the changes: what the
 *     requester's state must come to
 */
public record StateChanges(long base, long stateDigest, StateImage image) {
  public StateChanges {
    Objects.requireNonNull(image, "image");
    if (base < 0 || base > image.position()) {
      throw new IllegalArgumentException(
          "base must be a position from 0 to " + image.position() + ": " + base);
    }
  }
}
