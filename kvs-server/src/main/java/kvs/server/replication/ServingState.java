package kvs.server.replication;

/**
 * Whether this server's state is the cluster's, so it may serve and answer its writers. Set by
 * {@link CatchUp} in stream tasks, read anywhere.
 */
public final class ServingState {
  private volatile boolean caughtUp;

  public boolean caughtUp() {
    return caughtUp;
  }

  void set(boolean caughtUp) {
    this.caughtUp = caughtUp;
  }
}
