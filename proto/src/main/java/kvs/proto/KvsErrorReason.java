package kvs.proto;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.Optional;

/**
 * Why a KVS server refused a call, in a form clients test instead of parsing descriptions: a
 * standard {@code google.rpc.ErrorInfo} detail (domain {@value #DOMAIN}) in the call's {@code
 * grpc-status-details-bin} trailer, as AIP-193 describes. Tools that show status details (grpcurl,
 * any gRPC library) see it too.
 */
public enum KvsErrorReason {
  /** UNAVAILABLE: the server was catching up with its peers for longer than the call could wait. */
  CATCHING_UP,
  /** UNAVAILABLE: a read's {@code kvs-min-position} was not reached in time. */
  BEHIND_POSITION,
  /**
   * OUT_OF_RANGE: a watch asked for changes this server no longer holds; the detail's metadata
   * {@value #OLDEST_POSITION} is the oldest position it can watch from.
   */
  HISTORY_TRIMMED,
  /**
   * OUT_OF_RANGE: a watcher read so slowly that the changes it had still to read were dropped from
   * the history; metadata {@value #OLDEST_POSITION} as for {@link #HISTORY_TRIMMED}.
   */
  WATCH_TOO_SLOW;

  /** The detail's metadata key naming the oldest position a server can watch from. */
  public static final String OLDEST_POSITION = "oldest_position";

  /** The {@code ErrorInfo.domain} of KVS's reasons. */
  public static final String DOMAIN = "kvs";

  /** A failure with {@code code}, {@code description} and this reason attached. */
  public StatusRuntimeException toException(Status.Code code, String description) {
    return toException(code, description, Map.of());
  }

  /** A failure with {@code code}, {@code description}, this reason and its {@code metadata}. */
  public StatusRuntimeException toException(
      Status.Code code, String description, Map<String, String> metadata) {
    ErrorInfo info =
        ErrorInfo.newBuilder().setReason(name()).setDomain(DOMAIN).putAllMetadata(metadata).build();
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(description)
            .addDetails(Any.pack(info))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** The metadata of the KVS reason a failure carries; empty when it carries none. */
  public static Map<String, String> metadataOf(Throwable failure) {
    return info(failure).map(ErrorInfo::getMetadataMap).orElse(Map.of());
  }

  /** The KVS reason a failure carries, if it carries one. */
  public static Optional<KvsErrorReason> of(Throwable failure) {
    return info(failure)
        .flatMap(
            info -> {
              for (KvsErrorReason reason : values()) {
                if (reason.name().equals(info.getReason())) {
                  return Optional.of(reason);
                }
              }
              return Optional.empty();
            });
  }

  private static Optional<ErrorInfo> info(Throwable failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      return Optional.empty();
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if (DOMAIN.equals(info.getDomain())) {
            return Optional.of(info);
          }
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty(); // a detail we cannot read is no reason we know
        }
      }
    }
    return Optional.empty();
  }
}
