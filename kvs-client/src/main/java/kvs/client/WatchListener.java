package kvs.client;

/**
 * Receives what a {@link KvsClient#watch watch} reports, one call at a time, in stream order. The
 * next answer is asked of the server only when a call returns, so a slow listener slows only its
 * own watch (and is cut, {@link KvsException.Code#WATCH_TOO_SLOW}, if it falls further behind than
 * the server's history).
 */
public interface WatchListener {

  /**
   * A change, at most once and never out of order, also across a resume on another server.
   *
   * @param event the change
   */
  void onEvent(ChangeEvent event);

  /**
   * Nothing the watch matches changed up to {@code position}: resuming from here loses nothing.
   * Comes about once a second while nothing changes.
   *
   * @param position the stream position reached
   */
  default void onProgress(long position) {}

  /**
   * The watch has ended and will report nothing more: {@link KvsException.Code#HISTORY_TRIMMED} (no
   * server still holds the changes after its position: read a snapshot and watch from the client's
   * {@link KvsClient#position()}), {@link KvsException.Code#WATCH_TOO_SLOW}, {@link
   * KvsException.Code#REJECTED} (an invalid request), or an exception this listener threw. Failures
   * of a server or a connection do not end a watch: it resumes by itself.
   *
   * @param error why it ended
   */
  default void onError(KvsException error) {}
}
