package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Health, reflection and the Status call, as standard tools and operators see them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObservabilityIT {

  @Test
  void healthFollowsTheBrokerAndStatusShowsPeersReflectionListsServices() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2)) {
      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", cluster.server(0).port(), InsecureChannelCredentials.create())
              .build();
      try {
        Eventually.await(
            Duration.ofSeconds(5), "SERVING", () -> health(channel, "") == ServingStatus.SERVING);
        assertEquals(ServingStatus.SERVING, health(channel, "kvs.KVS"));

        cluster.blocking(1).insere(KvsServiceIT.kv("chave1", "valor1"));
        cluster.awaitConverged();
        Eventually.await(
            Duration.ofSeconds(5),
            "server-0 hears server-1 at its position",
            () -> {
              StatusReply status = status(channel);
              return status.getPeersCount() == 1 && status.getPeers(0).getPosition() == 1;
            });
        StatusReply status = status(channel);
        assertEquals("server-0", status.getServerId());
        assertEquals(cluster.server(0).port(), status.getPort());
        assertTrue(status.getBrokerConnected() && status.getCaughtUp());
        assertEquals(1, status.getPosition());
        assertEquals(1, status.getKeys());
        assertEquals(1, status.getVersions());
        assertEquals(
            status.getDigest(), status.getPeers(0).getDigest(), "same content, same digest");
        assertEquals("server-1", status.getPeers(0).getServerId());
        assertEquals(cluster.server(1).port(), status.getPeers(0).getPort());

        assertTrue(
            listServices(channel)
                .containsAll(List.of("kvs.KVS", "kvs.admin.KvsAdmin", "grpc.health.v1.Health")),
            "reflection lists the services");

        broker.stop();
        Eventually.await(
            Duration.ofSeconds(10),
            "NOT_SERVING without a broker",
            () -> health(channel, "") == ServingStatus.NOT_SERVING);
        assertEquals(false, status(channel).getBrokerConnected());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static ServingStatus health(ManagedChannel channel, String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  private static StatusReply status(ManagedChannel channel) {
    return KvsAdminGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  private static List<String> listServices(ManagedChannel channel) throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    names.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> result = names.get(5, TimeUnit.SECONDS);
    requests.onCompleted();
    return result;
  }
}
