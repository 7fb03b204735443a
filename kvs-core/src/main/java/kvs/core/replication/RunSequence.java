package kvs.core.replication;

import java.util.Objects;

/** The last sequence number applied from one run of one origin: the duplicate filter's state. */
public record RunSequence(String origin, String run, long lastSequence) {
  public RunSequence {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
  }
}
