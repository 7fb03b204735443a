package kvs.core.replication;

import java.util.Objects;
import java.util.Optional;

/**
 * One write carried by the replication stream. A write may carry the client's request id: a retried
 * write with an id the state machine has applied recently answers the first result instead of
 * writing again.
 */
public sealed interface Operation permits Operation.Put, Operation.Remove {

  /** The key the operation writes. */
  String key();

  /** The client's request id, when it sent one. */
  Optional<String> requestId();

  /** Insere: add {@code value} as the next version of {@code key}. */
  record Put(String key, String value, Optional<String> requestId) implements Operation {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(requestId, "requestId");
    }

    public Put(String key, String value) {
      this(key, value, Optional.empty());
    }
  }

  /** Remove: exactly {@code version} when it is {@code > 0}, otherwise every version. */
  record Remove(String key, int version, Optional<String> requestId) implements Operation {
    public Remove {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(requestId, "requestId");
      version = Math.max(version, ALL_VERSIONS);
    }

    public Remove(String key, int version) {
      this(key, version, Optional.empty());
    }

    /** The version value meaning "every version of the key". */
    public static final int ALL_VERSIONS = 0;

    /** A remove of every version of {@code key}. */
    public static Remove all(String key) {
      return new Remove(key, ALL_VERSIONS);
    }

    public boolean removesAll() {
      return version == ALL_VERSIONS;
    }
  }
}
