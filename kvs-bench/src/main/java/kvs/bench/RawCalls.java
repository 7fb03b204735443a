package kvs.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * gRPC calls made straight on {@link ClientCall}: no stub, no interceptor, no retry policy, so the
 * client adds as little as gRPC allows, and the answer's trailers are at hand.
 */
final class RawCalls {
  private final long timeoutNanos;

  /**
   * @param timeout every call's deadline
   */
  RawCalls(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** How a unary call ended. Called once, on a gRPC thread (or the caller's). */
  interface Answer<A> {
    void answered(A answer, Metadata trailers);

    void failed(Status status);
  }

  CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Sends {@code request} with {@code headers} and hands the one answer to {@code answer}. */
  <Q, A> void unary(
      Channel channel,
      MethodDescriptor<Q, A> method,
      Metadata headers,
      Q request,
      Answer<A> answer) {
    ClientCall<Q, A> call = channel.newCall(method, options());
    try {
      call.start(new UnaryListener<>(answer), headers);
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException e) {
      call.cancel("the client failed", e);
      throw e;
    }
  }

  private static final class UnaryListener<A> extends ClientCall.Listener<A> {
    private final Answer<A> answer;
    private A value;

    UnaryListener(Answer<A> answer) {
      this.answer = answer;
    }

    @Override
    public void onMessage(A message) {
      value = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (!status.isOk()) {
        answer.failed(status);
      } else if (value == null) {
        answer.failed(Status.INTERNAL.withDescription("the call ended without an answer"));
      } else {
        answer.answered(value, trailers);
      }
    }
  }
}
