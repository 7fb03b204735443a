package kvs.client.internal;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kvs.client.AsyncKvsClient;
import kvs.client.Entry;
import kvs.client.GetResult;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.KvsClient;
import kvs.client.PutResult;
import kvs.client.RemoveResult;
import kvs.client.ServerStatus;
import kvs.client.Watch;
import kvs.client.WatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KvsClient} over gRPC: the blocking calls wait on the {@link GrpcAsyncKvsClient}'s futures
 * and sinks. The channel it builds for targets resolves them with {@link
 * StaticTargetsResolverProvider}, balances round robin and retries per {@link ServiceConfig}; every
 * channel, also a caller's, goes through {@link RequestMetadata}.
 *
 * <p>Build it with {@link KvsClient#builder()}; this class is public only for the builder.
 */
public final class GrpcKvsClient implements KvsClient {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcKvsClient.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final ManagedChannel ownedChannel;
  private final KvsCalls calls;
  private final PositionTracker position;
  private final GrpcAsyncKvsClient async;
  private final ClientConfig config;

  private GrpcKvsClient(
      ManagedChannel ownedChannel,
      KvsCalls calls,
      PositionTracker position,
      Duration deadline,
      ClientConfig config) {
    this.ownedChannel = ownedChannel;
    this.calls = calls;
    this.position = position;
    this.async = new GrpcAsyncKvsClient(calls, deadline);
    this.config = config;
  }

  /**
   * Returns a client as configured: over the caller's channel, or over a channel of its own to the
   * targets.
   *
   * @param config what the builder collected
   * @return the client
   */
  public static KvsClient create(ClientConfig config) {
    ManagedChannel owned = config.channel() == null ? openChannel(config) : null;
    Channel base = owned != null ? owned : config.channel();
    PositionTracker position = new PositionTracker();
    Channel channel =
        ClientInterceptors.intercept(
            base,
            new RequestMetadata(
                position, config.readYourWrites(), () -> UUID.randomUUID().toString()));
    return new GrpcKvsClient(owned, new KvsCalls(channel), position, config.deadline(), config);
  }

  private static ManagedChannel openChannel(ClientConfig config) {
    StaticTargetsResolverProvider targets = new StaticTargetsResolverProvider(config.targets());
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(targets);
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilder(targets.channelTarget(), config.credentials(), registry)
            .disableServiceConfigLookUp()
            .defaultServiceConfig(ServiceConfig.of(config.maxAttempts(), config.retryWrites()))
            .maxRetryAttempts(config.maxAttempts())
            .enableRetry();
    if (config.keepAliveTime() != null) {
      builder
          .keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveWithoutCalls(false);
    }
    LOG.debug("connecting to {}", config.targets());
    return builder.build();
  }

  @Override
  public int put(String key, String value) {
    return GrpcErrors.await(async.put(key, value));
  }

  @Override
  public Optional<Entry> get(String key) {
    return GrpcErrors.await(async.get(key));
  }

  @Override
  public Optional<Entry> get(String key, int version) {
    return GrpcErrors.await(async.get(key, version));
  }

  @Override
  public boolean remove(String key) {
    return GrpcErrors.await(async.remove(key));
  }

  @Override
  public boolean remove(String key, int version) {
    return GrpcErrors.await(async.remove(key, version));
  }

  @Override
  public Stream<PutResult> putAll(Iterable<KeyValue> items) {
    ResultIterator<PutResult> results = new ResultIterator<>();
    return async.putAll(items.iterator(), results) ? results.stream() : Stream.empty();
  }

  @Override
  public Stream<GetResult> getAll(Iterable<KeyVersion> items) {
    ResultIterator<GetResult> results = new ResultIterator<>();
    return async.getAll(items.iterator(), results) ? results.stream() : Stream.empty();
  }

  @Override
  public Stream<RemoveResult> removeAll(Iterable<KeyVersion> items) {
    ResultIterator<RemoveResult> results = new ResultIterator<>();
    return async.removeAll(items.iterator(), results) ? results.stream() : Stream.empty();
  }

  @Override
  public Watch watch(String prefix, long fromPosition, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    if (fromPosition < 0) {
      throw new IllegalArgumentException("fromPosition must be 0 or more, got " + fromPosition);
    }
    if (config.channel() != null) {
      return new WatchCall(
              List.of(calls.channel()), () -> {}, prefix, fromPosition, false, listener)
          .start();
    }
    // A channel per server: a resume goes to another server at once, whatever the balancer knows.
    List<ManagedChannel> perServer = new ArrayList<>();
    for (HostAndPort target : config.targets()) {
      perServer.add(
          Grpc.newChannelBuilderForAddress(target.host(), target.port(), config.credentials())
              .build());
    }
    return new WatchCall(
            List.copyOf(perServer),
            () -> perServer.forEach(ManagedChannel::shutdownNow),
            prefix,
            fromPosition,
            false,
            listener)
        .start();
  }

  @Override
  public Stream<Entry> snapshot(int version) {
    ResultIterator<Entry> results = new ResultIterator<>();
    async.snapshot(version, results);
    return results.stream();
  }

  @Override
  public ServerStatus status() {
    return GrpcErrors.await(async.status());
  }

  @Override
  public long position() {
    return position.get();
  }

  @Override
  public void advancePosition(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("position must not be negative: " + position);
    }
    this.position.advance(position);
  }

  @Override
  public KvsClient withDeadline(Duration deadline) {
    return new GrpcKvsClient(null, calls, position, positive(deadline), config);
  }

  @Override
  public AsyncKvsClient async() {
    return async;
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

  static Duration positive(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive: " + deadline);
    }
    return deadline;
  }
}
