package kvs.client;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The outcome of one item of {@link KvsClient#putAll(Iterable)}.
 *
 * @param request the key and value that were sent
 * @param version the version the server gave the value, at least 1, or empty when the server
 *     rejected the key or value (fewer than three code points)
 */
public record PutResult(KeyValue request, OptionalInt version) {

  /** Checks that both fields are present. */
  public PutResult {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(version, "version");
  }

  /**
   * Returns whether the server stored the value.
   *
   * @return {@code version().isPresent()}
   */
  public boolean stored() {
    return version.isPresent();
  }
}
