package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static kvs.server.KvsServiceIT.tupla;
import static kvs.server.KvsServiceIT.versao;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import kvs.proto.KVSGrpc;
import kvs.server.grpc.CallMetadata;
import kvs.server.testing.BidiCalls;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Request ids make retried writes safe; positions give read-your-writes across servers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallMetadataIT {

  private static Metadata headers(Metadata.Key<String> key, String value) {
    Metadata headers = new Metadata();
    headers.put(key, value);
    return headers;
  }

  @Test
  void aRetriedWriteWithTheSameRequestIdAnswersTheFirstResultEvenOnAnotherServer()
      throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2)) {
      Metadata id = headers(CallMetadata.REQUEST_ID, "req-1");
      KVSGrpc.KVSBlockingStub first =
          cluster.blocking(0).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(id));
      KVSGrpc.KVSBlockingStub retry =
          cluster.blocking(1).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(id));
      assertEquals(1, first.insere(kv("chave1", "valor1")).getVersao());
      assertEquals(
          1, retry.insere(kv("chave1", "valor1")).getVersao(), "the first answer, not version 2");
      cluster.awaitConverged();
      assertEquals(tupla("chave1", "valor1", 1), cluster.blocking(0).consulta(key("chave1")));
      assertEquals(
          2, cluster.blocking(0).insere(kv("chave1", "valor2")).getVersao(), "no id: a new write");

      Metadata streamId = headers(CallMetadata.REQUEST_ID, "stream-1");
      List<kvs.proto.ChaveValor> items = List.of(kv("chave2", "a-1"), kv("chave2", "a-2"));
      assertEquals(
          List.of(versao(1), versao(2)),
          BidiCalls.exchange(
              cluster
                  .async(0)
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(streamId)),
              items,
              KVSGrpc.KVSStub::insereVarias));
      assertEquals(
          List.of(versao(1), versao(2)),
          BidiCalls.exchange(
              cluster
                  .async(1)
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(streamId)),
              items,
              KVSGrpc.KVSStub::insereVarias),
          "a retried stream answers each item's first result");
      cluster.awaitConverged();
      assertEquals(2, cluster.blocking(1).consulta(key("chave2")).getVersao());
    }
  }

  @Test
  void aReadWithTheWritesPositionSeesTheWriteOnAnotherServer() {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 2)) {
      for (int n = 1; n <= 20; n++) {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        int version =
            cluster
                .blocking(0)
                .withInterceptors(
                    MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
                .insere(kv("chave1", "valor" + n))
                .getVersao();
        long position = Long.parseLong(trailers.get().get(CallMetadata.POSITION));
        assertTrue(position >= n, "position " + position);
        // At once, on the other server: it waits until it has applied the write.
        assertEquals(
            tupla("chave1", "valor" + n, version),
            cluster
                .blocking(1)
                .withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(
                        headers(CallMetadata.MIN_POSITION, Long.toString(position))))
                .consulta(key("chave1")));
      }
    }
  }

  @Test
  void aReadForAPositionNeverReachedAnswersUnavailableInBoundedTime() {
    try (MosquittoBroker broker = MosquittoBroker.start();
        TestCluster cluster = TestCluster.start(broker, 1)) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  cluster
                      .blocking(0)
                      .withInterceptors(
                          MetadataUtils.newAttachHeadersInterceptor(
                              headers(CallMetadata.MIN_POSITION, "1000000")))
                      .consulta(key("chave1")));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().startsWith("behind position 1000000"),
          e.getStatus().getDescription());
    }
  }
}
