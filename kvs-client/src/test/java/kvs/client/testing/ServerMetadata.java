package kvs.client.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The server side of the KVS metadata, for fakes: records every call's {@code kvs-request-id} and
 * {@code kvs-min-position}, hands them to the service through the {@link Context}, and answers
 * every call with a {@code kvs-position} trailer.
 */
public final class ServerMetadata implements ServerInterceptor {

  public static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("kvs-request-id", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> MIN_POSITION =
      Metadata.Key.of("kvs-min-position", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> POSITION =
      Metadata.Key.of("kvs-position", Metadata.ASCII_STRING_MARSHALLER);

  /** The call's request id, or {@code null}. */
  public static final Context.Key<String> CALL_REQUEST_ID = Context.key("kvs-request-id");

  /** The call's minimum position, 0 when none was sent. */
  public static final Context.Key<Long> CALL_MIN_POSITION = Context.key("kvs-min-position");

  /** One call as it arrived. */
  public record Call(String method, String requestId, String minPosition) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final LongSupplier position;

  /**
   * @param position the position to answer in the trailer, read when the call ends
   */
  public ServerMetadata(LongSupplier position) {
    this.position = position;
  }

  /** The calls received, in order, by method name without the service ({@code Insere}). */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls of one method. */
  public List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String requestId = headers.get(REQUEST_ID);
    String minPosition = headers.get(MIN_POSITION);
    calls.add(new Call(call.getMethodDescriptor().getBareMethodName(), requestId, minPosition));
    Context context =
        Context.current()
            .withValue(CALL_REQUEST_ID, requestId)
            .withValue(CALL_MIN_POSITION, minPosition == null ? 0L : Long.parseLong(minPosition));
    ServerCall<ReqT, RespT> withPosition =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            trailers.put(POSITION, Long.toString(position.getAsLong()));
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(context, withPosition, headers, next);
  }
}
