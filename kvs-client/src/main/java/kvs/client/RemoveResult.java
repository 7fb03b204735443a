package kvs.client;

import java.util.Objects;

/**
 * The outcome of one item of {@link KvsClient#removeAll(Iterable)}.
 *
 * @param request the key, and the version when one was sent
 * @param removed true when the server removed something: the version asked for or, for a request
 *     without a positive version, every version of the key; false when there was nothing to remove
 */
public record RemoveResult(KeyVersion request, boolean removed) {

  /** Checks that the request is present. */
  public RemoveResult {
    Objects.requireNonNull(request, "request");
  }
}
