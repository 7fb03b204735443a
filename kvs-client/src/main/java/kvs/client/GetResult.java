package kvs.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one item of {@link KvsClient#getAll(Iterable)}.
 *
 * @param request the key, and the version when one was sent
 * @param entry the entry read, or empty when the key has none at or below the version asked for
 */
public record GetResult(KeyVersion request, Optional<Entry> entry) {

  /** Checks that both fields are present. */
  public GetResult {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(entry, "entry");
  }
}
