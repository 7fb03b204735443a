package kvs.core.replication;

/**
 * A request id the state machine applied recently, by its {@link RequestFingerprint}, with the
 * answer it gave and the stream time when it was first applied.
 *
 * @param idHigh the fingerprint's first 64 bits
 * @param idLow the fingerprint's last 64 bits
 * @param result the answer of the first application
 * @param time the stream time (ms since the epoch, see {@link RetryCache}) when it was applied
 */
public record RecentRequest(long idHigh, long idLow, int result, long time) {
  public RecentRequest {
    if (time < 0) {
      throw new IllegalArgumentException("time must be >= 0: " + time);
    }
  }

  /** The entry for {@code requestId} itself. */
  public static RecentRequest of(String requestId, int result, long time) {
    RequestFingerprint id = RequestFingerprint.of(requestId);
    return new RecentRequest(id.high(), id.low(), result, time);
  }

  public RequestFingerprint fingerprint() {
    return new RequestFingerprint(idHigh, idLow);
  }
}
