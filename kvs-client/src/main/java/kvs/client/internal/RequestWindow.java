package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;

/**
 * Asks a call for its results a window at a time. The call starts with {@link #SIZE} requested
 * ({@link #startOn}); each time the consumer has taken half a window, that half is requested again
 * in one {@code request(n)}. So the results delivered and not yet consumed never exceed {@link
 * #SIZE}, and the server still sends only as fast as the consumer takes, while the call makes one
 * request per half window instead of one per result: each request is a hop to the transport's
 * thread and back, which one result at a time made the cost of a large stream.
 *
 * <p>Not thread-safe: one consumer calls {@link #consumed()}.
 */
final class RequestWindow {

  /** Results a call may deliver beyond those consumed. */
  static final int SIZE = 512;

  private static final int TOP_UP = SIZE / 2;

  private final ClientCallStreamObserver<?> call;
  private int sinceTopUp;

  RequestWindow(ClientCallStreamObserver<?> call) {
    this.call = call;
  }

  /** Makes {@code call} (in {@code beforeStart}) ask for a first window, then only when told. */
  static void startOn(ClientCallStreamObserver<?> call) {
    call.disableAutoRequestWithInitial(SIZE);
  }

  /** One result was consumed; requests the next half window once half a window was. */
  void consumed() {
    if (++sinceTopUp == TOP_UP) {
      sinceTopUp = 0;
      call.request(TOP_UP);
    }
  }
}
