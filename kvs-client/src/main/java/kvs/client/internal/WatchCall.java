package kvs.client.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import kvs.client.ChangeEvent;
import kvs.client.KvsException;
import kvs.client.Watch;
import kvs.client.WatchListener;
import kvs.proto.KvsErrorReason;
import kvs.proto.watch.WatchEvent;
import kvs.proto.watch.WatchGrpc;
import kvs.proto.watch.WatchRequest;
import kvs.proto.watch.WatchResponse;

/**
 * A watch that resumes by itself: each failure of a server or a connection starts the call again,
 * from the last position reported, on the next of its channels (one per server, so that a dead
 * server is not picked again by a balancer that has not noticed yet). A server that no longer holds
 * that position is passed over until every server has said so. The next answer is requested only
 * when the listener has taken the last one.
 */
final class WatchCall implements Watch {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "kvs-watch-retry");
            thread.setDaemon(true);
            return thread;
          });

  private final List<Channel> channels;
  private final Runnable release;
  private final String prefix;
  private final boolean omitValues;
  private final WatchListener listener;
  private int next; // touched by one attempt at a time
  private volatile long position;
  private volatile boolean closed;
  private ClientCallStreamObserver<WatchRequest> current; // guarded by this
  private Duration backoff = FIRST_BACKOFF; // touched by one attempt at a time
  private int trimmedAnswers; // touched by one attempt at a time

  /**
   * @param channels one per server, tried in turn
   * @param release run once when the watch ends (closes channels opened for it)
   */
  WatchCall(
      List<Channel> channels,
      Runnable release,
      String prefix,
      long fromPosition,
      boolean omitValues,
      WatchListener listener) {
    this.channels = List.copyOf(channels);
    this.release = release;
    this.prefix = prefix;
    this.position = fromPosition;
    this.omitValues = omitValues;
    this.listener = listener;
  }

  WatchCall start() {
    attempt();
    return this;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void close() {
    ClientCallStreamObserver<WatchRequest> call;
    synchronized (this) {
      closed = true;
      call = current;
    }
    if (call != null) {
      call.cancel("watch closed", null);
    }
    release.run();
  }

  private void attempt() {
    if (closed) {
      return;
    }
    WatchRequest request =
        WatchRequest.newBuilder()
            .setPrefix(prefix)
            .setFromPosition(position)
            .setOmitValues(omitValues)
            .build();
    ClientCall<WatchRequest, WatchResponse> call =
        channels.get(next).newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
    ClientCalls.asyncServerStreamingCall(call, request, new Answers());
  }

  private final class Answers implements ClientResponseObserver<WatchRequest, WatchResponse> {
    private ClientCallStreamObserver<WatchRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
      this.call = call;
      call.disableAutoRequestWithInitial(1);
      synchronized (WatchCall.this) {
        current = call;
      }
    }

    @Override
    public void onNext(WatchResponse answer) {
      if (closed) {
        return;
      }
      backoff = FIRST_BACKOFF; // this server serves: the next failure is a new one
      trimmedAnswers = 0;
      try {
        if (answer.getEventsCount() == 0) {
          position = Math.max(position, answer.getPosition());
          listener.onProgress(position);
        } else if (answer.getPosition() > position) {
          // (A server never repeats a position; this keeps a resume from repeating one anyway.)
          for (WatchEvent event : answer.getEventsList()) {
            listener.onEvent(toChange(event));
          }
          position = answer.getPosition();
        }
      } catch (RuntimeException e) {
        end(new KvsException(KvsException.Code.SERVER_ERROR, "the watch listener threw " + e, e));
        call.cancel("the listener threw", e);
        return;
      }
      call.request(1);
    }

    @Override
    public void onError(Throwable failure) {
      if (closed) {
        return;
      }
      KvsException error = GrpcErrors.translate(failure);
      Status.Code code = Status.fromThrowable(failure).getCode();
      Optional<KvsErrorReason> reason = KvsErrorReason.of(failure);
      if (error.code() == KvsException.Code.HISTORY_TRIMMED
          && ++trimmedAnswers < 2 * channels.size()) {
        retry(Duration.ZERO); // another server may still hold it
      } else if (error.code() == KvsException.Code.HISTORY_TRIMMED
          || error.code() == KvsException.Code.WATCH_TOO_SLOW
          || code == Status.Code.INVALID_ARGUMENT
          || code == Status.Code.UNIMPLEMENTED
          || code == Status.Code.PERMISSION_DENIED
          || code == Status.Code.UNAUTHENTICATED) {
        end(error);
      } else {
        // UNAVAILABLE (a server gone, or catching up: reason.isPresent()), CANCELLED by a server's
        // shutdown, INTERNAL: the watch goes on elsewhere.
        Duration wait = reason.isPresent() ? MAX_BACKOFF : backoff;
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
        retry(wait);
      }
    }

    @Override
    public void onCompleted() {
      retry(FIRST_BACKOFF); // servers never end a watch; one that did is left for another
    }
  }

  private void retry(Duration wait) {
    next = (next + 1) % channels.size();
    if (!closed) {
      RETRIES.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void end(KvsException error) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    release.run();
    listener.onError(error);
  }

  private ChangeEvent toChange(WatchEvent event) {
    ChangeEvent.Kind kind =
        switch (event.getKind()) {
          case REMOVE_VERSION -> ChangeEvent.Kind.REMOVE_VERSION;
          case REMOVE_ALL -> ChangeEvent.Kind.REMOVE_ALL;
          default -> ChangeEvent.Kind.PUT;
        };
    Optional<String> value =
        kind == ChangeEvent.Kind.PUT && !omitValues
            ? Optional.of(event.getValue())
            : Optional.empty();
    return new ChangeEvent(event.getPosition(), event.getKey(), event.getVersion(), value, kind);
  }
}
