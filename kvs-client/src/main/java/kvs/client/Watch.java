package kvs.client;

/** A running {@link KvsClient#watch watch}; closing it stops it. */
public interface Watch extends AutoCloseable {

  /**
   * Returns the stream position the watch has reported up to: to resume from after a restart of
   * this program, give it to {@link KvsClient#watch} again.
   *
   * @return the position, at least the one the watch started from
   */
  long position();

  /** Stops the watch; its listener is called no more (a call running now may finish). */
  @Override
  void close();
}
