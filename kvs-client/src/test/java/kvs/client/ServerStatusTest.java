package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import kvs.client.KvsException.Code;
import kvs.client.ServerStatus.PeerInfo;
import kvs.client.testing.FailingKvsService;
import kvs.client.testing.FakeAdminService;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.client.testing.SilentKvsService;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.PeerStatus;
import kvs.proto.admin.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link KvsClient#status()} and the "catching up" answer of the KVS calls. */
@Timeout(30)
class ServerStatusTest {

  @Test
  void statusMapsEveryFieldAndKeepsThePeersInOrder() throws InterruptedException {
    StatusReply reply =
        StatusReply.newBuilder()
            .setServerId("vm-9000")
            .setPort(9000)
            .setBrokerConnected(true)
            .setCaughtUp(false)
            .setPosition(1234)
            .setKeys(100)
            .setVersions(300)
            .setDigest("0a1b2c3d4e5f6071")
            .addPeers(FakeAdminService.peer("vm-9002", 9002, 1217, "ffffffffffffffff", 120))
            .addPeers(
                PeerStatus.newBuilder()
                    .setServerId("vm-9001")
                    .setPort(9001)
                    .setPosition(5_000_000_000L)
                    .setDigest("0a1b2c3d4e5f6071")
                    .setCaughtUp(false)
                    .setLastHeardMillisAgo(7))
            .setSkippedMessages(2)
            .setResyncs(3)
            .setRepairs(2)
            .setRejectedMessages(5)
            .build();
    FakeAdminService admin = new FakeAdminService(reply);
    try (InProcessKvs server = InProcessKvs.start(new FakeKvsService(), admin);
        KvsClient kvs = KvsClient.builder().channel(server.channel()).build()) {

      ServerStatus status = kvs.status();

      assertEquals(
          new ServerStatus(
              "vm-9000",
              9000,
              true,
              false,
              1234,
              100,
              300,
              "0a1b2c3d4e5f6071",
              List.of(
                  new PeerInfo(
                      "vm-9002", 9002, 1217, "ffffffffffffffff", true, Duration.ofMillis(120)),
                  new PeerInfo(
                      "vm-9001",
                      9001,
                      5_000_000_000L,
                      "0a1b2c3d4e5f6071",
                      false,
                      Duration.ofMillis(7))),
              2,
              3,
              2,
              5),
          status);
      assertFalse(status.healthy());
      assertEquals(1, admin.calls());
    }
  }

  @Test
  void healthyNeedsCaughtUpAndBroker() {
    ServerStatus status =
        new ServerStatus("s", 1, true, true, 0, 0, 0, "0000000000000000", List.of(), 0, 0, 0, 0);
    assertTrue(status.healthy());
    assertFalse(
        new ServerStatus("s", 1, false, true, 0, 0, 0, "0000000000000000", List.of(), 0, 0, 0, 0)
            .healthy());
  }

  @Test
  void peersAreCopied() {
    List<PeerInfo> peers = new java.util.ArrayList<>();
    ServerStatus status = new ServerStatus("s", 1, true, true, 0, 0, 0, "d", peers, 0, 0, 0, 0);
    peers.add(new PeerInfo("p", 2, 0, "d", true, Duration.ZERO));

    assertEquals(List.of(), status.peers());
  }

  @Test
  void catchingUpIsItsOwnCode() throws InterruptedException {
    try (InProcessKvs server = InProcessKvs.start(FailingKvsService.catchingUp());
        KvsClient kvs = KvsClient.builder().channel(server.channel()).build()) {
      KvsException e = assertThrows(KvsException.class, () -> kvs.get("chave1"));

      assertEquals(Code.CATCHING_UP, e.code());
      assertEquals(
          Code.CATCHING_UP,
          assertThrows(KvsException.class, () -> kvs.snapshot(0).toList()).code());
    }
  }

  @Test
  void anotherUnavailableStaysUnavailable() throws InterruptedException {
    Status other = Status.UNAVAILABLE.withDescription("shutting down");
    try (InProcessKvs server = InProcessKvs.start(new FailingKvsService(other));
        KvsClient kvs = KvsClient.builder().channel(server.channel()).build()) {
      assertEquals(
          Code.UNAVAILABLE, assertThrows(KvsException.class, () -> kvs.get("chave1")).code());
    }
  }

  @Test
  void serverWithoutTheAdminServiceIsAServerError() throws InterruptedException {
    try (InProcessKvs server = InProcessKvs.start(new FakeKvsService());
        KvsClient kvs = KvsClient.builder().channel(server.channel()).build()) {
      KvsException e = assertThrows(KvsException.class, kvs::status);

      assertEquals(Code.SERVER_ERROR, e.code());
      assertTrue(e.getMessage().startsWith("UNIMPLEMENTED"), e.getMessage());
    }
  }

  @Test
  void statusHasTheDeadline() throws InterruptedException {
    KvsAdminGrpc.KvsAdminImplBase never =
        new KvsAdminGrpc.KvsAdminImplBase() {
          @Override
          public void status(
              kvs.proto.admin.StatusRequest request,
              io.grpc.stub.StreamObserver<StatusReply> replies) {}
        };
    try (InProcessKvs server = InProcessKvs.start(new SilentKvsService(), never);
        KvsClient kvs =
            KvsClient.builder()
                .channel(server.channel())
                .deadline(Duration.ofMillis(100))
                .build()) {
      assertEquals(Code.DEADLINE_EXCEEDED, assertThrows(KvsException.class, kvs::status).code());
    }
  }

  @Test
  void statusOfAnUnreachableServerIsUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (KvsClient remote = KvsClient.builder().target("127.0.0.1", closedPort).build()) {
      assertEquals(Code.UNAVAILABLE, assertThrows(KvsException.class, remote::status).code());
    }
  }
}
