package kvs.client.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.PeerStatus;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;

/** The admin service of a server, answering Status with a reply (or a failure) the test sets. */
public final class FakeAdminService extends KvsAdminGrpc.KvsAdminImplBase {

  private final AtomicReference<StatusReply> reply;
  private final AtomicReference<Status> failure = new AtomicReference<>();
  private final AtomicInteger calls = new AtomicInteger();

  public FakeAdminService(StatusReply reply) {
    this.reply = new AtomicReference<>(reply);
  }

  /** A caught-up, connected server with 100 keys, 300 versions and no peers. */
  public static StatusReply.Builder healthy(
      String serverId, int port, long position, String digest) {
    return StatusReply.newBuilder()
        .setServerId(serverId)
        .setPort(port)
        .setBrokerConnected(true)
        .setCaughtUp(true)
        .setPosition(position)
        .setKeys(100)
        .setVersions(300)
        .setDigest(digest);
  }

  /** A caught-up peer heard from {@code millisAgo} ago. */
  public static PeerStatus peer(
      String serverId, int port, long position, String digest, long millisAgo) {
    return PeerStatus.newBuilder()
        .setServerId(serverId)
        .setPort(port)
        .setPosition(position)
        .setDigest(digest)
        .setCaughtUp(true)
        .setLastHeardMillisAgo(millisAgo)
        .build();
  }

  /** Answers the next calls with {@code next}. */
  public void answer(StatusReply next) {
    reply.set(next);
    failure.set(null);
  }

  /** Fails the next calls with {@code status}. */
  public void fail(Status status) {
    failure.set(status);
  }

  /** How many Status calls arrived. */
  public int calls() {
    return calls.get();
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> replies) {
    calls.incrementAndGet();
    Status failing = failure.get();
    if (failing != null) {
      replies.onError(failing.asRuntimeException());
      return;
    }
    replies.onNext(reply.get());
    replies.onCompleted();
  }
}
