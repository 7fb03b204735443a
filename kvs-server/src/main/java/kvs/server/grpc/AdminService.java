package kvs.server.grpc;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.PeerStatus;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;

/** The {@code kvs.admin.KvsAdmin} service: what this server knows of itself and its peers. */
public final class AdminService extends KvsAdminGrpc.KvsAdminImplBase {
  /** Peers not heard from for longer than this are left out of the status. */
  static final Duration PEER_WINDOW = Duration.ofSeconds(5);

  private final ServerView server;

  public AdminService(ServerView server) {
    this.server = server;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> reply) {
    var replica = server.replica();
    StatusReply.Builder status =
        StatusReply.newBuilder()
            .setServerId(server.serverId())
            .setPort(server.port())
            .setBrokerConnected(server.isBrokerConnected())
            .setCaughtUp(server.isCaughtUp())
            .setPosition(replica.position())
            .setKeys(replica.keyCount())
            .setVersions(replica.versionCount())
            .setDigest(hex(replica.digest()))
            .setSkippedMessages(server.skippedMessages())
            .setResyncs(server.resyncs())
            .setRepairs(server.repairs())
            .setRejectedMessages(server.rejectedMessages())
            .setWatchers(server.watchers())
            .setWatchOldestPosition(server.replica().changes().oldest());
    for (var peer : server.peers().heardWithin(PEER_WINDOW)) {
      var heartbeat = peer.heartbeat();
      status.addPeers(
          PeerStatus.newBuilder()
              .setServerId(heartbeat.origin())
              .setPort(heartbeat.port())
              .setPosition(heartbeat.position())
              .setDigest(hex(heartbeat.digest()))
              .setCaughtUp(heartbeat.caughtUp())
              .setLastHeardMillisAgo(peer.age().toMillis()));
    }
    reply.onNext(status.build());
    reply.onCompleted();
  }

  static String hex(long digest) {
    return String.format("%016x", digest);
  }
}
