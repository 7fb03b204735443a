package kvs.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kvs.core.replication.MessageCodec;
import kvs.server.grpc.KvsService;
import kvs.server.replication.ReplicaIdentity;
import kvs.server.replication.ReplicationTransport;
import kvs.server.replication.StreamApplier;
import kvs.server.replication.WritePublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KVS server: the replica, the replication stream and the gRPC service, wired together, with
 * their lifecycle. Built from a {@link ServerBuilder} so tests can hand it an in-process one.
 */
public final class KvsServer {
  private static final Logger log = LoggerFactory.getLogger(KvsServer.class);

  /** Writes that arrive while a publish is in flight go out together, up to this many. */
  static final int MAX_BATCH = 1000;

  private final Replica replica = new Replica();
  private final ReplicationTransport transport;
  private final WritePublisher publisher;
  private final StreamApplier applier;
  private final Server grpcServer;

  public KvsServer(
      ServerBuilder<?> serverBuilder,
      ReplicationTransport transport,
      ReplicaIdentity identity,
      Duration writeTimeout) {
    MessageCodec codec = new MessageCodec();
    this.transport = transport;
    this.publisher = new WritePublisher(identity, transport, codec, writeTimeout, MAX_BATCH);
    this.applier = new StreamApplier(replica, codec, publisher);
    this.grpcServer =
        serverBuilder
            .directExecutor() // handlers never block: writes complete asynchronously
            .addService(new KvsService(replica, publisher))
            .build();
  }

  /** Starts serving and joining the stream; fails at once when the port cannot be bound. */
  public KvsServer start() throws IOException {
    grpcServer.start();
    transport.start(applier);
    return this;
  }

  /** The port the gRPC server listens on (-1 for in-process servers). */
  public int port() {
    return grpcServer.getPort();
  }

  /** True while connected to the broker (and so accepting writes). */
  public boolean isBrokerConnected() {
    return transport.isConnected();
  }

  public Replica replica() {
    return replica;
  }

  /** How many malformed replication messages were skipped. */
  public long skippedMessages() {
    return applier.skippedMessages();
  }

  /**
   * Stops accepting calls, lets running calls finish for up to {@code grace}, then cancels the
   * rest and leaves the broker.
   */
  public void stop(Duration grace) {
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
      transport.close();
    }
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }
}
