package kvs.client.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import kvs.proto.KVSGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the KVS metadata to calls and reads it back: a {@code kvs-request-id} on every write, a
 * {@code kvs-min-position} on every read (when read-your-writes is on and the client has a
 * position), and the {@code kvs-position} trailer of every write into the client's position.
 *
 * <p>An interceptor of the client's channel sees each logical call once, above gRPC's retries:
 * {@link ClientCall#start} runs once per call, and every attempt of the call is sent with the
 * headers given there. So the request id made in {@code start} is the same on every attempt of a
 * call, which is what lets the servers recognize a retried write; and it differs between calls.
 */
final class RequestMetadata implements ClientInterceptor {

  /** The id of a write, the same on every attempt; the servers deduplicate on it. */
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("kvs-request-id", Metadata.ASCII_STRING_MARSHALLER);

  /** The position a read must be served at, or later. */
  static final Metadata.Key<String> MIN_POSITION =
      Metadata.Key.of("kvs-min-position", Metadata.ASCII_STRING_MARSHALLER);

  /** The position at which the server applied a write (or served a read); a trailer. */
  static final Metadata.Key<String> POSITION =
      Metadata.Key.of("kvs-position", Metadata.ASCII_STRING_MARSHALLER);

  /** Why a write answered -1, as {@code REASON: words}; a trailer. */
  static final Metadata.Key<String> ERROR =
      Metadata.Key.of("kvs-error", Metadata.ASCII_STRING_MARSHALLER);

  /** Where a write's call puts its {@link #ERROR} trailer, if it wants it. */
  static final CallOptions.Key<AtomicReference<String>> WRITE_ERROR =
      CallOptions.Key.create("kvs-write-error");

  private static final Logger LOG = LoggerFactory.getLogger(RequestMetadata.class);

  private enum Kind {
    READ,
    WRITE
  }

  private static final Map<String, Kind> KINDS =
      Map.of(
          KVSGrpc.getInsereMethod().getFullMethodName(), Kind.WRITE,
          KVSGrpc.getRemoveMethod().getFullMethodName(), Kind.WRITE,
          KVSGrpc.getInsereVariasMethod().getFullMethodName(), Kind.WRITE,
          KVSGrpc.getRemoveVariasMethod().getFullMethodName(), Kind.WRITE,
          KVSGrpc.getConsultaMethod().getFullMethodName(), Kind.READ,
          KVSGrpc.getConsultaVariasMethod().getFullMethodName(), Kind.READ,
          KVSGrpc.getSnapshotMethod().getFullMethodName(), Kind.READ);

  private final PositionTracker position;
  private final boolean readYourWrites;
  private final Supplier<String> requestIds;

  RequestMetadata(PositionTracker position, boolean readYourWrites, Supplier<String> requestIds) {
    this.position = position;
    this.readYourWrites = readYourWrites;
    this.requestIds = requestIds;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    Kind kind = KINDS.get(method.getFullMethodName());
    ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
    if (kind == null) {
      return call;
    }
    return new SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        if (kind == Kind.WRITE) {
          headers.put(REQUEST_ID, requestIds.get());
          super.start(
              new PositionListener<>(listener, callOptions.getOption(WRITE_ERROR)), headers);
          return;
        }
        long minPosition = position.get();
        if (readYourWrites && minPosition > 0) {
          headers.put(MIN_POSITION, Long.toString(minPosition));
        }
        super.start(listener, headers);
      }
    };
  }

  /**
   * Takes the position from a write's trailers, whatever the outcome: items may have applied; and
   * the reason of a -1, for the caller that asked for it.
   */
  private final class PositionListener<RespT> extends SimpleForwardingClientCallListener<RespT> {
    private final AtomicReference<String> error;

    PositionListener(ClientCall.Listener<RespT> delegate, AtomicReference<String> error) {
      super(delegate);
      this.error = error;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      String text = trailers.get(POSITION);
      if (text != null) {
        try {
          position.advance(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
          LOG.debug("ignoring malformed kvs-position trailer {}", text);
        }
      }
      if (error != null) {
        error.set(trailers.get(ERROR));
      }
      super.onClose(status, trailers);
    }
  }
}
