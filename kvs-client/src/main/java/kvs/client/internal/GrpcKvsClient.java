package kvs.client.internal;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import kvs.client.Entry;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.KvsClient;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;
import kvs.client.ServerStatus;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KvsClient} over gRPC. Unary operations use the unary RPCs, batches the bidirectional
 * streams, {@link #status()} the {@code kvs.admin.KvsAdmin} service on the same channel, and every
 * call carries the configured deadline. Nothing is retried.
 *
 * <p>Build it with {@link KvsClient#builder()}; this class is public only for the builder.
 */
public final class GrpcKvsClient implements KvsClient {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcKvsClient.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final Channel channel;
  private final ManagedChannel ownedChannel;
  private final long deadlineNanos;

  private GrpcKvsClient(Channel channel, ManagedChannel ownedChannel, Duration deadline) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.ownedChannel = ownedChannel;
    this.deadlineNanos = deadline.toNanos();
  }

  /**
   * Returns a client over a channel the caller owns; {@link #close()} leaves it open.
   *
   * @param channel the channel
   * @param deadline the deadline of every call
   * @return the client
   */
  public static GrpcKvsClient overCallerChannel(Channel channel, Duration deadline) {
    return new GrpcKvsClient(channel, null, deadline);
  }

  /**
   * Returns a client that owns its channel and shuts it down in {@link #close()}.
   *
   * @param channel the channel
   * @param deadline the deadline of every call
   * @return the client
   */
  public static GrpcKvsClient overOwnedChannel(ManagedChannel channel, Duration deadline) {
    return new GrpcKvsClient(channel, channel, deadline);
  }

  @Override
  public int put(String key, String value) {
    int answer = call(stub -> stub.insere(WireMapper.toWire(KeyValue.of(key, value)))).getVersao();
    LOG.debug("put {} -> {}", key, answer);
    return WireMapper.toPutResult(answer)
        .orElseThrow(
            () ->
                new KvsException(
                    Code.REJECTED, "server rejected key or value (answered " + answer + ")"));
  }

  @Override
  public Optional<Entry> get(String key) {
    return get(KeyVersion.of(key));
  }

  @Override
  public Optional<Entry> get(String key, int version) {
    return get(KeyVersion.of(key, version));
  }

  private Optional<Entry> get(KeyVersion item) {
    Tupla answer = call(stub -> stub.consulta(WireMapper.toWire(item)));
    LOG.debug("get {} -> version {}", item, answer.getVersao());
    return WireMapper.toEntry(answer);
  }

  @Override
  public boolean remove(String key) {
    return remove(KeyVersion.of(key));
  }

  @Override
  public boolean remove(String key, int version) {
    return remove(KeyVersion.of(key, version));
  }

  private boolean remove(KeyVersion item) {
    int answer = call(stub -> stub.remove(WireMapper.toWire(item))).getVersao();
    LOG.debug("remove {} -> {}", item, answer);
    return WireMapper.toRemoveResult(answer).isPresent();
  }

  @Override
  public List<OptionalInt> putAll(List<KeyValue> items) {
    List<ChaveValor> requests = items.stream().map(WireMapper::toWire).toList();
    List<Versao> replies = batch(stub -> stub::insereVarias, requests);
    return replies.stream().map(reply -> WireMapper.toPutResult(reply.getVersao())).toList();
  }

  @Override
  public List<Optional<Entry>> getAll(List<KeyVersion> items) {
    List<ChaveVersao> requests = items.stream().map(WireMapper::toWire).toList();
    List<Tupla> replies = batch(stub -> stub::consultaVarias, requests);
    return replies.stream().map(WireMapper::toEntry).toList();
  }

  @Override
  public List<OptionalInt> removeAll(List<KeyVersion> items) {
    List<ChaveVersao> requests = items.stream().map(WireMapper::toWire).toList();
    List<Versao> replies = batch(stub -> stub::removeVarias, requests);
    return replies.stream().map(reply -> WireMapper.toRemoveResult(reply.getVersao())).toList();
  }

  @Override
  public List<Entry> snapshot(int version) {
    Versao request = Versao.newBuilder().setVersao(version).build();
    return call(
        stub -> {
          List<Entry> entries = new ArrayList<>();
          // The iterator must be drained: that is what ends the call.
          for (Iterator<Tupla> replies = stub.snapshot(request); replies.hasNext(); ) {
            WireMapper.toEntry(replies.next()).ifPresent(entries::add);
          }
          return entries;
        });
  }

  @Override
  public ServerStatus status() {
    KvsAdminGrpc.KvsAdminBlockingStub stub =
        KvsAdminGrpc.newBlockingStub(channel)
            .withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS);
    StatusReply reply;
    try {
      reply = stub.status(StatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.translate(e);
    }
    LOG.debug("status -> {} at position {}", reply.getServerId(), reply.getPosition());
    return WireMapper.toStatus(reply);
  }

  @Override
  public void close() {
    if (ownedChannel == null) {
      return;
    }
    ownedChannel.shutdown();
    try {
      if (!ownedChannel.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        ownedChannel.shutdownNow();
      }
    } catch (InterruptedException e) {
      ownedChannel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private <T> T call(Function<KVSGrpc.KVSBlockingStub, T> rpc) {
    KVSGrpc.KVSBlockingStub stub =
        KVSGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS);
    try {
      return rpc.apply(stub);
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.translate(e);
    }
  }

  private <ReqT, RespT> List<RespT> batch(
      Function<KVSGrpc.KVSStub, Function<StreamObserver<RespT>, StreamObserver<ReqT>>> rpc,
      List<ReqT> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    KVSGrpc.KVSStub stub =
        KVSGrpc.newStub(channel).withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS);
    List<RespT> replies = BidiBatch.run(rpc.apply(stub), requests);
    LOG.debug("batch of {} answered", requests.size());
    return replies;
  }
}
