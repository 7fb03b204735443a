package kvs.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.ClientCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;
import org.junit.jupiter.api.Test;

/** The iterator's requests and its bound, driven by hand without a transport. */
class ResultIteratorTest {

  private static final int WINDOW = RequestWindow.SIZE;

  private final RecordingCall call = new RecordingCall();
  private final ResultIterator<Integer> results = new ResultIterator<>();

  @Test
  void halfAWindowIsRequestedEachTimeTheCallerHasTakenHalfAWindow() {
    results.started(call);
    for (int i = 0; i < WINDOW; i++) {
      results.result(i);
    }

    for (int i = 0; i < WINDOW / 2 - 1; i++) {
      assertEquals(i, results.next());
    }
    assertEquals(List.of(), call.requests);
    results.next();
    assertEquals(List.of(WINDOW / 2), call.requests);

    for (int i = 0; i < WINDOW / 2; i++) {
      results.next();
    }
    assertEquals(List.of(WINDOW / 2, WINDOW / 2), call.requests);
    results.completed();
    assertFalse(results.hasNext());
    assertNull(call.cancelled);
  }

  @Test
  void aCallThatDeliversMoreThanAWindowFailsInsteadOfGrowingTheQueue() {
    results.started(call);
    for (int i = 0; i < WINDOW + 10; i++) {
      results.result(i);
    }
    results.completed(); // as if the server had finished before the cancel reached it

    assertNotNull(call.cancelled, "the call was cancelled");
    for (int i = 0; i < WINDOW; i++) {
      assertTrue(results.hasNext());
      assertEquals(i, results.next());
    }
    KvsException e = assertThrows(KvsException.class, results::hasNext);
    assertEquals(Code.SERVER_ERROR, e.code());
  }

  /** Records what the iterator asks of its call. */
  private static final class RecordingCall extends ClientCallStreamObserver<Object> {
    final List<Integer> requests = new ArrayList<>();
    Throwable cancelled;

    @Override
    public void request(int count) {
      requests.add(count);
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = cause != null ? cause : new IllegalStateException(message);
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(Object value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
