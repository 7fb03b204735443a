package kvs.core.replication;

import java.util.Objects;

/** One write carried by the replication stream. */
public sealed interface Operation permits Operation.Put, Operation.Remove {

  /** The key the operation writes. */
  String key();

  /** Insere: add {@code value} as the next version of {@code key}. */
  record Put(String key, String value) implements Operation {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Remove: exactly {@code version} when it is {@code > 0}, otherwise every version. */
  record Remove(String key, int version) implements Operation {
    public Remove {
      Objects.requireNonNull(key, "key");
      version = Math.max(version, ALL_VERSIONS);
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
