package kvs.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The metadata of {@code kvs.KVS} calls beyond the fixed messages: the client's request id (makes a
 * retried write safe), the position a read must wait for (read-your-writes), and the position a
 * call leaves in its trailers.
 *
 * <ul>
 *   <li>{@code kvs-request-id} (request): a write with an id the cluster applied recently answers
 *       the first result instead of writing again; on a stream, item i carries {@code id#i}.
 *   <li>{@code kvs-min-position} (request, reads): wait until this server has applied that position
 *       (bounded), or answer UNAVAILABLE.
 *   <li>{@code kvs-position} (response trailer): for writes, the position at which this server
 *       applied the (last) write; for reads, the position the answer reflects.
 *   <li>{@code kvs-error} (response trailer): why a write answered -1, as {@code REASON: words}
 *       (for example {@code VALUE_TOO_LARGE: ...}, {@code INVALID_INPUT: ...}, {@code
 *       NOT_REPLICATED: ...}); on a stream, the first such item's, with its index.
 * </ul>
 */
public final class CallMetadata implements ServerInterceptor {
  public static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("kvs-request-id", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> MIN_POSITION =
      Metadata.Key.of("kvs-min-position", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> POSITION =
      Metadata.Key.of("kvs-position", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> ERROR =
      Metadata.Key.of("kvs-error", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<Call> CALL = Context.key("kvs-call");

  private final LongSupplier currentPosition;

  public CallMetadata(LongSupplier currentPosition) {
    this.currentPosition = currentPosition;
  }

  /** What the current call's client sent, and where its trailer position goes. */
  public record Call(
      Optional<String> requestId,
      OptionalLong minPosition,
      AtomicLong position,
      AtomicReference<String> error,
      String item) {
    /** Notes that the answer reflects at least {@code position}. */
    void reflects(long seen) {
      position.accumulateAndGet(seen, Math::max);
    }

    /**
     * Notes why a write answered -1 ({@code CODE: words}); the first reason of a call is the one
     * its trailer gives, with the stream item's index after the code.
     */
    void failed(String reason) {
      String text = item.isEmpty() ? reason : reason.replaceFirst(": ", ": " + item);
      error.compareAndSet(null, text.replaceAll("[^\\x20-\\x7e]", "?"));
    }

    /** The same call, for item {@code index} of its stream. */
    Call item(long index) {
      return new Call(requestId, minPosition, position, error, "item " + index + ": ");
    }
  }

  /** The current call's metadata (inside a handler of an intercepted service). */
  static Call current() {
    Call call = CALL.get();
    return call != null
        ? call
        : new Call(
            Optional.empty(),
            OptionalLong.empty(),
            new AtomicLong(-1),
            new AtomicReference<>(),
            "");
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    OptionalLong minPosition;
    try {
      String text = headers.get(MIN_POSITION);
      minPosition =
          text == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      call.close(
          Status.INVALID_ARGUMENT.withDescription("kvs-min-position must be a number"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Call info =
        new Call(
            Optional.ofNullable(headers.get(REQUEST_ID)),
            minPosition,
            new AtomicLong(-1),
            new AtomicReference<>(),
            "");
    ServerCall<Q, A> withTrailer =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            long position = info.position().get();
            trailers.put(
                POSITION, Long.toString(position >= 0 ? position : currentPosition.getAsLong()));
            String error = info.error().get();
            if (error != null) {
              trailers.put(ERROR, error);
            }
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(
        Context.current().withValue(CALL, info), withTrailer, headers, next);
  }
}
