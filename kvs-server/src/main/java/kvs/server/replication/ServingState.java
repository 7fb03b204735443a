package kvs.server.replication;

import java.util.concurrent.CompletableFuture;

/**
 * Whether this server's state is the cluster's, so it may serve and answer its writers. Set by
 * {@link CatchUp} in stream tasks, read anywhere; calls that arrive while it is not wait on {@link
 * #whenServing}.
 */
public final class ServingState {
  private volatile boolean caughtUp;
  private CompletableFuture<Void> serving = new CompletableFuture<>(); // guarded by this

  /** A state that serves from the start (for a server without peers to catch up with). */
  public static ServingState serving() {
    ServingState state = new ServingState();
    state.set(true);
    return state;
  }

  public boolean caughtUp() {
    return caughtUp;
  }

  /** Completes (on the thread that sets it) once this server serves; at once when it does. */
  public CompletableFuture<Void> whenServing() {
    if (caughtUp) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      // A copy per caller: one caller's timeout must not fail the others' wait.
      return caughtUp
          ? CompletableFuture.completedFuture(null)
          : serving.thenApply(ignored -> null);
    }
  }

  void set(boolean caughtUp) {
    CompletableFuture<Void> released = null;
    synchronized (this) {
      if (this.caughtUp == caughtUp) {
        return;
      }
      this.caughtUp = caughtUp;
      if (caughtUp) {
        released = serving;
        serving = new CompletableFuture<>();
      }
    }
    if (released != null) {
      released.complete(null);
    }
  }
}
