package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.bench.etcd.KVGrpc;
import kvs.bench.etcd.KeyValue;
import kvs.bench.etcd.PutRequest;
import kvs.bench.etcd.PutResponse;
import kvs.bench.etcd.RangeRequest;
import kvs.bench.etcd.RangeResponse;
import kvs.bench.etcd.ResponseHeader;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo server and the etcd driver, over real TCP on free ports in this JVM. */
@Timeout(60)
class OtherSystemsTest {

  @Test
  void theEchoServerAnswersAndIsMeasuredLikeKvs() throws IOException {
    try (EchoServer echo =
        new EchoServer(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()))
            .start()) {
      String port = Integer.toString(echo.port());
      for (String workload : new String[] {"insere", "consulta", "mixed"}) {
        JsonNode json =
            BenchRun.of(workload, "-s", "echo", "-p", port, "-n", "3000", "-c", "8", "--json", "-q")
                .json();
        assertEquals("echo", json.get("system").asText());
        assertEquals(workload, json.get("workload").asText());
        assertEquals(3000, json.get("ops").asLong(), json.toString());
        assertEquals(0, json.get("errors").asLong(), json.toString());
        assertEquals(0, json.get("not_found").asLong(), "echo finds every key: " + json);
        BenchRun.saneLatencies(json, "");
      }
    }
  }

  @Test
  void errorsAreCountedByKindAndExitOneWhenEveryRequestFailed() throws Exception {
    KVSGrpc.KVSImplBase rejecting =
        new KVSGrpc.KVSImplBase() {
          @Override
          public void insere(ChaveValor request, StreamObserver<Versao> answer) {
            answer.onNext(Versao.newBuilder().setVersao(-1).build());
            answer.onCompleted();
          }

          @Override
          public void consulta(ChaveVersao request, StreamObserver<Tupla> answer) {
            answer.onNext(Tupla.getDefaultInstance()); // not found
            answer.onCompleted();
          }
        };
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(rejecting)
            .build()
            .start();
    try {
      String port = Integer.toString(server.getPort());
      BenchRun json = BenchRun.of("insere", "-p", port, "-n", "50", "--json", "-q");
      assertEquals(BenchCommand.EXIT_ALL_FAILED, json.exitCode());
      JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
      assertEquals(0, report.get("ops").asLong());
      assertEquals(50, report.get("errors").asLong());
      assertEquals(50, report.get("error_kinds").get("REJECTED").asLong());
      assertTrue(
          report
              .get("first_error")
              .asText()
              .matches("Insere\\(bench-00000000\\d\\d\\) answered -1"),
          report.toString());
      assertTrue(report.get("p50_ms").isNull(), "no latency without an answer");

      BenchRun human = BenchRun.of("insere", "-p", port, "-n", "50", "-q");
      assertEquals(BenchCommand.EXIT_ALL_FAILED, human.exitCode());
      assertTrue(
          human.out().contains("errors     50 (REJECTED 50); first: Insere(bench-00000000"),
          human.out());

      BenchRun reads = BenchRun.of("consulta", "-p", port, "-n", "50", "-q");
      assertEquals(0, reads.exitCode(), "not found is an answer, not an error");
      assertTrue(
          reads
              .out()
              .contains("not found  50 reads found no value (--preload loads the keys first)"),
          reads.out());
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** etcd's KV service, as far as Put and Range go: counts the calls, keeps the values. */
  private static final class FakeEtcd extends KVGrpc.KVImplBase {
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger ranges = new AtomicInteger();
    final AtomicInteger linearizableRanges = new AtomicInteger();
    final Map<String, String> store = new ConcurrentHashMap<>();

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> answer) {
      puts.incrementAndGet();
      store.put(request.getKey().toStringUtf8(), request.getValue().toStringUtf8());
      answer.onNext(
          PutResponse.newBuilder()
              .setHeader(ResponseHeader.newBuilder().setRevision(puts.get()))
              .build());
      answer.onCompleted();
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> answer) {
      ranges.incrementAndGet();
      if (!request.getSerializable()) {
        linearizableRanges.incrementAndGet();
      }
      RangeResponse.Builder response = RangeResponse.newBuilder();
      String value = store.get(request.getKey().toStringUtf8());
      if (value != null) {
        response.addKvs(
            KeyValue.newBuilder()
                .setKey(request.getKey())
                .setValue(com.google.protobuf.ByteString.copyFromUtf8(value)));
        response.setCount(1);
      }
      answer.onNext(response.build());
      answer.onCompleted();
    }
  }

  @Test
  void etcdGetsPutsAndSerializableRanges() throws Exception {
    FakeEtcd etcd = new FakeEtcd();
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(etcd)
            .build()
            .start();
    try {
      String port = Integer.toString(server.getPort());

      JsonNode insere =
          BenchRun.of("insere", "-s", "etcd", "-p", port, "-n", "500", "--json", "-q").json();
      assertEquals(500, insere.get("ops").asLong());
      assertEquals(500, etcd.puts.get(), "one Put per request");
      assertEquals(1, etcd.ranges.get(), "one Range to check the target answers");
      BenchRun.saneLatencies(insere, "");

      JsonNode consulta =
          BenchRun.of(
                  "consulta",
                  "-s",
                  "etcd",
                  "-p",
                  port,
                  "--keys",
                  "100",
                  "--preload",
                  "-n",
                  "300",
                  "--json",
                  "-q")
              .json();
      assertEquals(300, consulta.get("ops").asLong());
      assertEquals(
          0, consulta.get("not_found").asLong(), "the 100 keys were loaded first: " + consulta);
      assertEquals(600, etcd.puts.get(), "100 more Puts to load the keys");
      assertEquals(1 + 1 + 300, etcd.ranges.get());

      JsonNode mixed =
          BenchRun.of(
                  "mixed",
                  "-s",
                  "etcd",
                  "-p",
                  port,
                  "--keys",
                  "100",
                  "--read-ratio",
                  "0.5",
                  "-n",
                  "1000",
                  "--json",
                  "-q")
              .json();
      assertEquals(1000, mixed.get("ops").asLong());
      int mixedPuts = etcd.puts.get() - 600;
      int mixedRanges = etcd.ranges.get() - 302 - 1;
      assertEquals(1000, mixedPuts + mixedRanges);
      assertTrue(
          mixedPuts > 350 && mixedRanges > 350,
          "about half and half: " + mixedPuts + " puts, " + mixedRanges + " ranges");

      assertEquals(0, etcd.linearizableRanges.get(), "every Range is serializable");
      assertEquals("etcdserverpb.KV/Put", KVGrpc.getPutMethod().getFullMethodName());
      assertEquals("etcdserverpb.KV/Range", KVGrpc.getRangeMethod().getFullMethodName());
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
