package kvs.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import kvs.proto.KvsErrorReason;
import kvs.server.replication.ServingState;

/**
 * A call that arrives while this server catches up with its peers waits until it has caught up,
 * then runs as any other; it is refused ({@code UNAVAILABLE}, reason {@link
 * KvsErrorReason#CATCHING_UP}) only when the catch-up outlasts the call's deadline or {@code
 * maxWait}, whichever comes first. A call that arrives when the server serves starts at once.
 */
public final class HoldWhileCatchingUp implements ServerInterceptor {
  private final ServingState serving;
  private final Duration maxWait;

  public HoldWhileCatchingUp(ServingState serving, Duration maxWait) {
    this.serving = serving;
    this.maxWait = maxWait;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (serving.caughtUp()) {
      return next.startCall(call, headers);
    }
    Context context = Context.current();
    HeldCall<Q, A> held = new HeldCall<>(call, headers, next, context);
    long waitNanos = maxWait.toNanos();
    Deadline deadline = context.getDeadline();
    if (deadline != null) {
      waitNanos = Math.min(waitNanos, Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
    }
    serving
        .whenServing()
        .orTimeout(waitNanos, TimeUnit.NANOSECONDS)
        .whenComplete(
            (ok, timedOut) -> {
              if (timedOut == null) {
                held.start();
              } else {
                held.refuse(
                    KvsErrorReason.CATCHING_UP.toException(
                        Status.Code.UNAVAILABLE,
                        "catching up with its peers for longer than the call could wait ("
                            + maxWait.toMillis()
                            + " ms at most)"));
              }
            });
    return held;
  }

  /**
   * A call whose start waits. Until it starts, gRPC delivers it no message (none was requested),
   * only readiness and cancellation, which are kept and handed on at the start.
   */
  private static final class HeldCall<Q, A> extends ServerCall.Listener<Q> {
    private final ServerCall<Q, A> call;
    private final Metadata headers;
    private final ServerCallHandler<Q, A> next;
    private final Context context;
    private ServerCall.Listener<Q> delegate; // guarded by this
    // Events that come while next.startCall runs: it requests messages, which a transport may
    // deliver at once on this thread, before delegate is set. Handed on when it returns.
    private List<Consumer<ServerCall.Listener<Q>>> early; // guarded by this
    private boolean ended; // cancelled or refused before it started; guarded by this
    private boolean ready; // guarded by this

    HeldCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next, Context context) {
      this.call = call;
      this.headers = headers;
      this.next = next;
      this.context = context;
    }

    synchronized void start() {
      if (ended || delegate != null) {
        return;
      }
      // In the call's own context (deadline, cancellation), not the releasing thread's.
      Context previous = context.attach();
      try {
        early = new ArrayList<>();
        ServerCall.Listener<Q> started = next.startCall(call, headers);
        delegate = started;
        if (ready) {
          started.onReady();
        }
        early.forEach(event -> event.accept(started));
        early = null;
      } finally {
        context.detach(previous);
      }
    }

    synchronized void refuse(StatusRuntimeException failure) {
      if (ended || delegate != null) {
        return;
      }
      ended = true;
      Metadata trailers = failure.getTrailers() != null ? failure.getTrailers() : new Metadata();
      call.close(failure.getStatus(), trailers);
    }

    @Override
    public synchronized void onMessage(Q message) {
      if (delegate != null) {
        delegate.onMessage(message);
      } else if (early != null) {
        early.add(listener -> listener.onMessage(message));
      }
    }

    @Override
    public synchronized void onHalfClose() {
      if (delegate != null) {
        delegate.onHalfClose();
      } else if (early != null) {
        early.add(ServerCall.Listener::onHalfClose);
      }
    }

    @Override
    public synchronized void onCancel() {
      if (delegate != null) {
        delegate.onCancel();
      } else if (early != null) {
        early.add(ServerCall.Listener::onCancel);
      } else {
        ended = true; // the client gave up (or its deadline passed) while it waited
      }
    }

    @Override
    public synchronized void onComplete() {
      if (delegate != null) {
        delegate.onComplete();
      } else if (early != null) {
        early.add(ServerCall.Listener::onComplete);
      }
    }

    @Override
    public synchronized void onReady() {
      if (delegate != null) {
        delegate.onReady();
      } else {
        ready = true;
      }
    }
  }
}
