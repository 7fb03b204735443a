package kvs.server.replication;

/**
 * Lets tests outside this package flip a {@link ServingState}, as {@link CatchUp} does, without a
 * public setter in the production code.
 */
public final class ServingSwitch {
  private ServingSwitch() {}

  /** Not serving: calls that arrive now wait. */
  public static ServingState catchingUp() {
    return new ServingState();
  }

  /** {@code state} serves from now on (releasing whatever waits), or stops serving. */
  public static void set(ServingState state, boolean caughtUp) {
    state.set(caughtUp);
  }
}
