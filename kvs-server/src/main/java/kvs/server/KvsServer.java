package kvs.server;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import kvs.core.VersionedStore;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.Presence;
import kvs.core.replication.StateMachine;
import kvs.proto.KVSGrpc;
import kvs.server.grpc.AdminService;
import kvs.server.grpc.CallMetadata;
import kvs.server.grpc.HoldWhileCatchingUp;
import kvs.server.grpc.KvsService;
import kvs.server.grpc.ServerView;
import kvs.server.http.HttpApi;
import kvs.server.metrics.CallMetrics;
import kvs.server.metrics.KvsMetrics;
import kvs.server.replication.AuthenticatedTransport;
import kvs.server.replication.CatchUp;
import kvs.server.replication.EntryLog;
import kvs.server.replication.FlowControl;
import kvs.server.replication.Heartbeats;
import kvs.server.replication.Membership;
import kvs.server.replication.MqttTransport;
import kvs.server.replication.PeerTable;
import kvs.server.replication.Rejections;
import kvs.server.replication.ReplayFilter;
import kvs.server.replication.ReplicaIdentity;
import kvs.server.replication.ReplicationTransport;
import kvs.server.replication.ServingState;
import kvs.server.replication.StateSender;
import kvs.server.replication.StreamExecutor;
import kvs.server.replication.StreamRouter;
import kvs.server.replication.Ticker;
import kvs.server.replication.WritePublisher;
import kvs.server.replication.WritesApplier;
import kvs.server.state.Replica;
import kvs.server.watch.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KVS server: the replica, the replication stream, catching up, heartbeats and the gRPC
 * services, wired together, with their lifecycle. Built from a {@link ServerBuilder} so tests can
 * hand it an in-process one.
 */
public final class KvsServer implements ServerView {
  private static final Logger log = LoggerFactory.getLogger(KvsServer.class);

  /** How {@link #start}'s exception begins when the HTTP port, not the gRPC one, is the problem. */
  public static final String HTTP_PORT_FAILED = "cannot listen on HTTP port ";

  /** Writes that arrive while our previous message is out go out together, up to this many. */
  static final int MAX_BATCH = 1000;

  private final ServerConfig config;
  private final Replica replica;
  private final StreamExecutor stream = new StreamExecutor();
  private final ExecutorService stateSender =
      Executors.newSingleThreadExecutor(named("kvs-state-sender"));
  private final ReplicationTransport transport;
  private final WritePublisher publisher;
  private final PeerTable peers = new PeerTable();
  private final Rejections rejections = new Rejections(Ticker.SYSTEM);
  private final Membership membership = new Membership();
  private final ReplicaIdentity identity;
  private final CatchUp catchUp;
  private final Heartbeats heartbeats;
  private final StreamRouter router;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server grpcServer;
  private final WatchService watch;
  private volatile int boundPort = -1;
  private final KvsMetrics metrics = new KvsMetrics(this); // read when scraped, after start
  private final Server inProcess; // null without an HTTP port
  private final ManagedChannel inProcessChannel;
  private volatile HttpApi http;

  /** A server with {@code config}; how it listens, replicates and starts is the builder's. */
  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  /** Builds a {@link KvsServer}: the one way to make one, in main and in every test. */
  public static final class Builder {
    private final ServerConfig config;
    private ServerBuilder<?> grpc;
    private Function<Executor, ReplicationTransport> transports;
    private Replica initial;
    private EntryLog entryLog = EntryLog.NONE;

    private Builder(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Where the services listen; by default gRPC on the config's port, secured by its {@link
     * ServerConfig#grpcCredentials() credentials}.
     */
    public Builder grpc(ServerBuilder<?> grpc) {
      this.grpc = grpc;
      return this;
    }

    /**
     * The replication stream, made given the executor it must deliver on (the {@link
     * StreamExecutor}); by default MQTT to the config's broker and topic.
     */
    public Builder transport(Function<Executor, ReplicationTransport> transports) {
      this.transports = transports;
      return this;
    }

    /**
     * The state to start from (recovered from disk) and where applied entries are made durable; by
     * default an empty state, kept in memory only.
     */
    public Builder state(Replica initial, EntryLog entryLog) {
      this.initial = initial;
      this.entryLog = entryLog;
      return this;
    }

    public KvsServer build() {
      ServerBuilder<?> serverBuilder =
          grpc != null
              ? grpc
              : Grpc.newServerBuilderForPort(config.port(), config.grpcCredentials());
      Function<Executor, ReplicationTransport> transport =
          transports != null
              ? transports
              : executor ->
                  new MqttTransport(
                      config.broker(),
                      config.brokerCredentials(),
                      config.topic(),
                      config.mqttClientId(),
                      config.sessionExpiry(),
                      config.limits().maxMessageBytes(),
                      executor);
      Replica replica =
          initial != null
              ? initial
              : new Replica(
                  new StateMachine(
                      new VersionedStore(), config.retryWindow(), StateMachine.DEFAULT_RETRY_CAP),
                  config.watchHistoryBytes());
      return new KvsServer(serverBuilder, transport, config, replica, entryLog);
    }
  }

  private KvsServer(
      ServerBuilder<?> serverBuilder,
      Function<Executor, ReplicationTransport> transports,
      ServerConfig config,
      Replica initial,
      EntryLog entryLog) {
    MessageCodec codec = new MessageCodec();
    this.identity = ReplicaIdentity.newRun(config.serverId());
    this.config = config;
    this.replica = initial;
    this.transport =
        new AuthenticatedTransport(
            transports.apply(stream), config.topic(), config.clusterKeys(), rejections);
    FlowControl flow = new FlowControl(config.serverId(), replica, peers, membership);
    this.publisher =
        new WritePublisher(
            identity,
            transport,
            codec,
            config.writeTimeout(),
            MAX_BATCH,
            config.limits().operationBudget(),
            flow::mayPublish);
    ServingState serving = new ServingState();
    WritesApplier writes = new WritesApplier(replica, publisher, entryLog, serving, metrics);
    rejections.countIn(metrics);
    this.catchUp =
        new CatchUp(
            identity,
            replica,
            writes,
            transport,
            codec,
            stream,
            Ticker.SYSTEM,
            new StateSender(
                config.serverId(), replica, transport, codec, stateSender, config.limits()),
            membership,
            peers,
            entryLog,
            serving,
            config.syncTimeout());
    this.heartbeats =
        new Heartbeats(identity, this::port, replica, catchUp, transport, codec, peers);
    this.router =
        new StreamRouter(
            codec,
            publisher,
            writes,
            catchUp,
            heartbeats,
            membership,
            rejections,
            config.clusterKeys().enabled()
                ? Optional.of(new ReplayFilter(replica))
                : Optional.empty(),
            metrics);
    ServerServiceDefinition kvs =
        ServerInterceptors.intercept(
            new KvsService(
                replica, publisher, serving, config.catchUpWait(), config.limits(), metrics::write),
            new CallMetadata(replica::position),
            new HoldWhileCatchingUp(serving, config.catchUpWait()));
    AdminService admin = new AdminService(this);
    this.watch =
        new WatchService(
            replica.changes(),
            serving::caughtUp,
            config.limits().maxKeyBytes(),
            WatchService.PROGRESS_INTERVAL);
    ServerServiceDefinition watches =
        ServerInterceptors.intercept(watch, new HoldWhileCatchingUp(serving, config.catchUpWait()));
    this.grpcServer =
        serverBuilder
            .directExecutor() // handlers never block: writes complete asynchronously
            // One item of a call is at most one write's worth: a replication message.
            .maxInboundMessageSize(config.limits().maxMessageBytes())
            .intercept(new CallMetrics(metrics))
            .addService(kvs)
            .addService(admin)
            .addService(watches)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .build();
    if (config.httpPort() >= 0) {
      // The HTTP API calls the very same services, in-process: one set of semantics.
      String name = "kvs-http-" + identity.serverId() + "-" + identity.run();
      this.inProcess =
          InProcessServerBuilder.forName(name)
              .directExecutor()
              .intercept(new CallMetrics(metrics))
              .addService(kvs)
              .addService(admin)
              .addService(watches)
              .build();
      this.inProcessChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
    } else {
      this.inProcess = null;
      this.inProcessChannel = null;
    }
    updateHealth();
  }

  /** Starts serving and joining the stream; fails at once when the port cannot be bound. */
  public KvsServer start() throws IOException {
    grpcServer.start();
    // Kept: gRPC's getPort() throws once the server has terminated, and heartbeats may still run.
    boundPort = grpcServer.getPort();
    if (inProcess != null) {
      inProcess.start();
      try {
        http =
            new HttpApi(
                config.httpPort(),
                inProcessChannel,
                config.limits().maxMessageBytes(),
                config.httpTls(),
                transport::isConnected,
                catchUp::caughtUp);
        http.route("/metrics", new MetricsHandler(metrics.registry()));
      } catch (IOException e) {
        grpcServer.shutdownNow();
        inProcess.shutdownNow();
        throw new IOException(HTTP_PORT_FAILED + config.httpPort(), e);
      }
      http.start();
    }
    transport.start(
        router, new Presence(identity.serverId(), identity.run(), Math.max(0, port())).encode());
    // A failure is logged by the stream executor, and the next heartbeat comes all the same.
    stream.scheduleWithFixedDelay(
        () -> {
          heartbeats.publish();
          publisher.resume(); // a peer that held us back may have fallen silent
          updateHealth();
        },
        config.heartbeatInterval());
    return this;
  }

  /**
   * Completes with one line when the broker refuses this server for good (wrong credentials, a
   * topic its ACL denies): it cannot serve, and should stop.
   */
  public CompletableFuture<String> brokerRefusal() {
    return transport.refusal();
  }

  /** This server's metrics ({@code /metrics} on the HTTP port). */
  public KvsMetrics metrics() {
    return metrics;
  }

  /** The HTTP port ({@code --http-port}), or -1 without one. */
  public int httpPort() {
    HttpApi api = http;
    return api == null ? -1 : api.port();
  }

  /** The port the gRPC server listens on (-1 for in-process servers). */
  @Override
  public int port() {
    return boundPort;
  }

  @Override
  public String serverId() {
    return config.serverId();
  }

  /** True while connected to the broker (and so accepting writes). */
  @Override
  public boolean isBrokerConnected() {
    return transport.isConnected();
  }

  /** True when this server has caught up with its peers and serves. */
  @Override
  public boolean isCaughtUp() {
    return catchUp.caughtUp();
  }

  @Override
  public Replica replica() {
    return replica;
  }

  @Override
  public PeerTable peers() {
    return peers;
  }

  /** How many malformed replication messages were skipped. */
  @Override
  public long skippedMessages() {
    return router.skippedMessages();
  }

  /** How many times this server re-synchronized from its peers after having caught up. */
  @Override
  public long resyncs() {
    return catchUp.resyncs();
  }

  /**
   * How many of those re-synchronizations took only a peer's changes (see {@link CatchUp#repairs}).
   */
  @Override
  public long repairs() {
    return catchUp.repairs();
  }

  /**
   * Stream messages refused: unsigned, badly signed or replayed ones (with a cluster key), signed
   * ones (without).
   */
  @Override
  public long rejectedMessages() {
    return rejections.count();
  }

  @Override
  public int watchers() {
    return watch.openStreams();
  }

  /**
   * Stops accepting calls, lets running calls finish for up to {@code grace}, then cancels the rest
   * and leaves the broker.
   */
  public void stop(Duration grace) {
    health.enterTerminalState();
    HttpApi api = http;
    if (api != null) {
      api.stop();
      inProcessChannel.shutdownNow();
      inProcess.shutdownNow();
    }
    watch.close(); // watchers resume on another server; they would hold the shutdown's grace
    grpcServer.shutdown();
    try {
      if (!grpcServer.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Calls still running after {} ms; cancelling them", grace.toMillis());
        grpcServer.shutdownNow();
        grpcServer.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      grpcServer.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      publisher.close();
      stream.close(); // nothing the broker still delivers is handled after this
      transport.close();
      stateSender.shutdownNow();
    }
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  // Health follows what the server needs to serve: the broker, and a caught-up state.
  private void updateHealth() {
    ServingStatus status =
        catchUp.caughtUp() && transport.isConnected()
            ? ServingStatus.SERVING
            : ServingStatus.NOT_SERVING;
    health.setStatus("", status);
    health.setStatus(KVSGrpc.SERVICE_NAME, status);
  }

  private static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
