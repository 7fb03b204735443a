package kvs.server.replication;

/**
 * A source of elapsed time in nanoseconds, as {@link System#nanoTime}: the replication parts read
 * time only through one, so tests can step it.
 */
@FunctionalInterface
public interface Ticker {
  Ticker SYSTEM = System::nanoTime;

  long nanos();
}
