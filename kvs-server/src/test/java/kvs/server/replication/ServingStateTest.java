package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a wait on {@link ServingState#whenServing} ends, and that waits do not disturb each other.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServingStateTest {

  @Test
  void aNewStateDoesNotServeAndItsWaitCompletesOnSetTrue() {
    ServingState state = new ServingState();
    assertFalse(state.caughtUp());
    CompletableFuture<Void> wait = state.whenServing();
    assertFalse(wait.isDone());

    state.set(true);
    assertTrue(state.caughtUp());
    assertTrue(wait.isDone());
    assertFalse(wait.isCompletedExceptionally());
  }

  @Test
  void setFalseReleasesNobody() {
    ServingState state = new ServingState();
    CompletableFuture<Void> wait = state.whenServing();
    state.set(false);
    assertFalse(wait.isDone());
    assertFalse(state.caughtUp());
  }

  @Test
  void aServingStateAnswersAtOnce() {
    ServingState state = ServingState.serving();
    assertTrue(state.caughtUp());
    assertTrue(state.whenServing().isDone());
  }

  @Test
  void afterServingStopsANewWaitWaitsForTheNextSetTrue() {
    ServingState state = ServingState.serving();
    state.set(false);
    CompletableFuture<Void> wait = state.whenServing();
    assertFalse(wait.isDone(), "a re-sync holds new callers again");
    state.set(false);
    assertFalse(wait.isDone());
    state.set(true);
    assertTrue(wait.isDone());
    assertFalse(wait.isCompletedExceptionally());
  }

  @Test
  void oneCallersTimeoutDoesNotFailAnothersWait() throws Exception {
    ServingState state = new ServingState();
    CompletableFuture<Void> impatient = state.whenServing().orTimeout(10, TimeUnit.MILLISECONDS);
    CompletableFuture<Void> patient = state.whenServing();

    ExecutionException timedOut =
        assertThrows(ExecutionException.class, () -> impatient.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, timedOut.getCause());
    assertFalse(patient.isDone(), "the other caller still waits");

    state.set(true);
    assertTrue(patient.isDone());
    assertFalse(patient.isCompletedExceptionally());
  }

  @Test
  void oneCallerCancellingOrFailingItsWaitDoesNotReachTheOthersOrLaterOnes() {
    ServingState state = new ServingState();
    CompletableFuture<Void> cancelled = state.whenServing();
    CompletableFuture<Void> failed = state.whenServing();
    CompletableFuture<Void> other = state.whenServing();

    assertTrue(cancelled.cancel(true));
    assertTrue(failed.completeExceptionally(new IllegalStateException("caller gave up")));
    assertFalse(other.isDone());
    CompletableFuture<Void> later = state.whenServing();
    assertFalse(later.isDone());

    state.set(true);
    assertEquals(null, other.join());
    assertEquals(null, later.join());
  }
}
