package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.server.testing.BidiCalls;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP port of real servers: every endpoint, every error code, metrics and the OpenAPI. */
@Timeout(180)
class HttpApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static MosquittoBroker broker;
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    broker = MosquittoBroker.start();
    cluster = TestCluster.start(broker, 2, b -> b.httpPort(0));
  }

  @AfterAll
  static void stop() {
    cluster.close();
    broker.close();
  }

  private static String base(int server) {
    return "http://127.0.0.1:" + cluster.server(server).httpPort();
  }

  private static String keyPath(String key) {
    return "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static HttpResponse<String> send(
      int server, String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base(server) + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  private static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aUnicodeKeyWithASlashGoesThroughEveryOperation() throws Exception {
    String key = unique("chave/ç 😀");
    HttpResponse<String> put =
        send(0, "PUT", keyPath(key), "valor1", "Content-Type", "text/plain; charset=utf-8");
    assertEquals(200, put.statusCode(), put.body());
    assertEquals(Map.of("key", key, "version", 1), JSON.convertValue(json(put), Map.class));
    assertNotNull(put.headers().firstValue("Kvs-Position").orElse(null));
    HttpResponse<String> putJson =
        send(
            0,
            "PUT",
            keyPath(key),
            "{\"value\":\"valor2 ção\"}",
            "Content-Type",
            "application/json");
    assertEquals(2, json(putJson).get("version").asInt(), putJson.body());

    JsonNode newest = json(send(0, "GET", keyPath(key), null));
    assertEquals("valor2 ção", newest.get("value").asText());
    assertEquals(2, newest.get("version").asInt());
    assertEquals(
        "valor1", json(send(0, "GET", keyPath(key) + "?version=1", null)).get("value").asText());
    JsonNode versions = json(send(0, "GET", keyPath(key) + "/versions", null)).get("versions");
    assertEquals(2, versions.size());
    assertEquals(1, versions.get(0).get("version").asInt());
    assertEquals("valor2 ção", versions.get(1).get("value").asText());

    HttpResponse<String> removeOne = send(0, "DELETE", keyPath(key) + "?version=1", null);
    assertEquals(200, removeOne.statusCode(), removeOne.body());
    assertEquals(1, json(removeOne).get("version").asInt());
    assertEquals(1, json(send(0, "GET", keyPath(key) + "/versions", null)).get("versions").size());
    HttpResponse<String> removeAll = send(0, "DELETE", keyPath(key), null);
    assertEquals(0, json(removeAll).get("version").asInt(), removeAll.body());
    HttpResponse<String> gone = send(0, "GET", keyPath(key), null);
    assertEquals(404, gone.statusCode());
    assertEquals("NOT_FOUND", json(gone).get("code").asText());
    assertEquals(404, send(0, "DELETE", keyPath(key), null).statusCode(), "nothing left to remove");
    assertEquals(404, send(0, "GET", keyPath(key) + "/versions", null).statusCode());
  }

  @Test
  void aWriteOnOneServerIsReadOnTheOtherAtItsPosition() throws Exception {
    String key = unique("replicated");
    HttpResponse<String> put = send(0, "PUT", keyPath(key), "valor1");
    String position = put.headers().firstValue("Kvs-Position").orElseThrow();
    HttpResponse<String> read = send(1, "GET", keyPath(key), null, "Kvs-Min-Position", position);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("valor1", json(read).get("value").asText());
  }

  @Test
  void aRetryWithTheSameRequestIdAnswersTheFirstVersion() throws Exception {
    String key = unique("retried");
    String id = UUID.randomUUID().toString();
    assertEquals(
        1,
        json(send(0, "PUT", keyPath(key), "valor1", "Kvs-Request-Id", id)).get("version").asInt());
    assertEquals(
        1,
        json(send(1, "PUT", keyPath(key), "valor1", "Kvs-Request-Id", id)).get("version").asInt());
    assertEquals(2, json(send(0, "PUT", keyPath(key), "valor2")).get("version").asInt());
  }

  @Test
  void aOneMegabyteValueRoundTrips() throws Exception {
    String key = unique("big");
    String value = "é".repeat(512 * 1024); // 1 MiB of UTF-8
    assertEquals(200, send(0, "PUT", keyPath(key), value).statusCode());
    assertEquals(value, json(send(0, "GET", keyPath(key), null)).get("value").asText());
  }

  @Test
  void everyMistakeHasItsStatusAndCode() throws Exception {
    assertError(send(0, "PUT", keyPath("ab"), "valor1"), 400, "INVALID_INPUT");
    assertError(
        send(0, "PUT", keyPath(unique("k")), "v".repeat(1024 * 1024 + 1)), 413, "VALUE_TOO_LARGE");
    assertError(send(0, "PUT", keyPath("k".repeat(5000)), "valor"), 413, "KEY_TOO_LARGE");
    assertError(
        send(0, "PUT", keyPath(unique("k")), "v".repeat(5 * 1024 * 1024)), 413, "BODY_TOO_LARGE");
    assertError(
        send(0, "PUT", keyPath(unique("k")), "<v/>", "Content-Type", "application/xml"),
        415,
        "UNSUPPORTED_MEDIA_TYPE");
    assertError(
        send(0, "PUT", keyPath(unique("k")), "{\"value\":", "Content-Type", "application/json"),
        400,
        "BAD_JSON");
    assertError(
        send(0, "PUT", keyPath(unique("k")), "{\"value\":3}", "Content-Type", "application/json"),
        400,
        "BAD_JSON");
    HttpResponse<String> post = send(0, "POST", keyPath(unique("k")), "v");
    assertError(post, 405, "METHOD_NOT_ALLOWED");
    assertEquals("GET, PUT, DELETE", post.headers().firstValue("Allow").orElse(""));
    assertError(send(0, "GET", "/v1/kv/%E0%A4", null), 400, "BAD_ENCODING");
    assertError(send(0, "GET", keyPath(unique("k")) + "?version=abc", null), 400, "BAD_PARAMETER");
    assertError(send(0, "GET", "/v1/kv/a/b", null), 404, "NOT_FOUND");
    assertError(send(0, "GET", "/nothing-here", null), 404, "NOT_FOUND");
    assertError(send(0, "DELETE", "/v1/status", null), 405, "METHOD_NOT_ALLOWED");
  }

  private static void assertError(HttpResponse<String> response, int status, String code)
      throws IOException {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = json(response);
    assertEquals(code, body.get("code").asText(), response.body());
    assertTrue(!body.get("error").asText().isBlank());
  }

  @Test
  void theSnapshotStreamsOneKeyALineInOrderWithPrefixAndPages() throws Exception {
    String prefix = unique("snap") + "-";
    List<ChaveValor> items =
        IntStream.range(0, 100_000)
            .mapToObj(i -> KvsServiceIT.kv(prefix + String.format("%06d", i), "valor" + i))
            .toList();
    for (int from = 0; from < items.size(); from += 10_000) {
      BidiCalls.exchange(
          cluster.async(0), items.subList(from, from + 10_000), KVSGrpc.KVSStub::insereVarias);
    }
    cluster.awaitConverged();
    HttpResponse<Stream<String>> all =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base(1) + "/v1/kv?prefix=" + prefix)).build(),
            BodyHandlers.ofLines());
    assertEquals(200, all.statusCode());
    assertEquals("application/x-ndjson", all.headers().firstValue("Content-Type").orElse(""));
    Iterator<String> lines = all.body().iterator();
    int count = 0;
    String last = "";
    while (lines.hasNext()) {
      JsonNode entry = JSON.readTree(lines.next());
      String key = entry.get("key").asText();
      assertTrue(key.startsWith(prefix) && key.compareTo(last) > 0, key);
      last = key;
      count++;
    }
    assertEquals(100_000, count);

    List<String> page = new ArrayList<>();
    send(1, "GET", "/v1/kv?limit=3&prefix=" + prefix + "&after=" + prefix + "000010", null)
        .body()
        .lines()
        .forEach(line -> page.add(line));
    assertEquals(3, page.size());
    assertEquals(prefix + "000011", JSON.readTree(page.get(0)).get("key").asText());
  }

  @Test
  void theConsoleIsServedFromTheJarWithItsContentTypes() throws Exception {
    for (Map.Entry<String, String> file :
        Map.of(
                "/", "text/html; charset=utf-8",
                "/console.js", "text/javascript; charset=utf-8",
                "/console.css", "text/css; charset=utf-8")
            .entrySet()) {
      HttpResponse<String> response = send(0, "GET", file.getKey(), null);
      assertEquals(200, response.statusCode(), file.getKey());
      assertEquals(
          file.getValue(), response.headers().firstValue("Content-Type").orElse(""), file.getKey());
      assertTrue(!response.body().isBlank(), file.getKey());
    }
    String page = send(0, "GET", "/", null).body();
    assertTrue(page.contains("console.js") && page.contains("console.css"), page);
    assertTrue(!page.contains("http://") && !page.contains("https://"), "nothing from elsewhere");
  }

  /** The gRPC Snapshot of an empty store is one blank entry, which is no key: no line for it. */
  @Test
  void theSnapshotOfAnEmptyStoreHasNoLine() throws Exception {
    try (TestCluster empty = TestCluster.start(broker, 1, b -> b.httpPort(0))) {
      HttpResponse<String> all =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + empty.server(0).httpPort() + "/v1/kv"))
                  .build(),
              BodyHandlers.ofString());
      assertEquals(200, all.statusCode());
      assertEquals("", all.body());
    }
  }

  @Test
  void healthAndStatusSayWhatTheServerIs() throws Exception {
    HttpResponse<String> live = send(0, "GET", "/livez", null);
    assertEquals(200, live.statusCode());
    assertEquals("ok\n", live.body());
    HttpResponse<String> ready = send(0, "GET", "/readyz?verbose", null);
    assertEquals(200, ready.statusCode());
    assertEquals("[+]broker ok\n[+]caught-up ok\nreadyz check passed\n", ready.body());
    Eventually.await(
        Duration.ofSeconds(10), "the status lists the other server", () -> peersHeard() == 1);
    JsonNode status = json(send(0, "GET", "/v1/status", null));
    assertEquals(cluster.server(0).serverId(), status.get("serverId").asText());
    assertTrue(status.get("caughtUp").asBoolean());
    assertEquals(cluster.server(1).serverId(), status.get("peers").get(0).get("serverId").asText());
  }

  private static int peersHeard() {
    try {
      return json(send(0, "GET", "/v1/status", null)).get("peers").size();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aServerWithoutItsBrokerIsLiveButNotReady() throws Exception {
    KvsServer alone =
        KvsServer.builder(
                TestCluster.config("alone", "tcp://127.0.0.1:" + MosquittoBroker.freePort(), "t")
                    .httpPort(0)
                    .catchUpWait(Duration.ofMillis(300))
                    .build())
            .build()
            .start();
    try {
      HttpClient client = HttpClient.newHttpClient();
      String url = "http://127.0.0.1:" + alone.httpPort();
      assertEquals(
          200,
          client
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/livez")).build(),
                  BodyHandlers.ofString())
              .statusCode());
      HttpResponse<String> ready =
          client.send(
              HttpRequest.newBuilder(URI.create(url + "/readyz?verbose")).build(),
              BodyHandlers.ofString());
      assertEquals(503, ready.statusCode());
      assertEquals("[-]broker failed\n[-]caught-up failed\nreadyz check failed\n", ready.body());
      HttpResponse<String> put =
          client.send(
              HttpRequest.newBuilder(URI.create(url + "/v1/kv/chave1"))
                  .PUT(BodyPublishers.ofString("valor1"))
                  .build(),
              BodyHandlers.ofString());
      assertError(put, 503, "CATCHING_UP");
      assertEquals("1", put.headers().firstValue("Retry-After").orElse(""));
    } finally {
      alone.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void metricsMoveWithWritesAndHaveTheirHistograms() throws Exception {
    double before = sample(scrape(), "kvs_writes_total{operation=\"insere\",result=\"ok\"}");
    send(0, "PUT", keyPath(unique("metric")), "valor1");
    send(0, "PUT", keyPath("ab"), "valor1");
    String metrics = scrape();
    assertEquals(
        before + 1, sample(metrics, "kvs_writes_total{operation=\"insere\",result=\"ok\"}"));
    assertTrue(sample(metrics, "kvs_writes_total{operation=\"insere\",result=\"refused\"}") >= 1);
    assertTrue(sample(metrics, "kvs_position") >= 1);
    assertEquals(1, sample(metrics, "kvs_caught_up"));
    assertEquals(1, sample(metrics, "kvs_broker_connected"));
    assertTrue(
        sample(metrics, "kvs_replication_messages_total{kind=\"writes\",outcome=\"applied\"}")
            >= 1);
    assertTrue(metrics.contains("kvs_writes_per_message_bucket{le=\"1.0\"}"), metrics);
    assertTrue(
        metrics.contains(
            "grpc_server_call_duration_seconds_bucket{grpc_method=\"kvs.KVS/Insere\",grpc_status=\"OK\",le="),
        metrics);
    assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(metrics.contains("kvs_peer_lag_entries"));
    assertTrue(metrics.contains("kvs_resyncs_total"));
    assertTrue(!metrics.contains("metric-"), "no label carries a key");
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response = send(0, "GET", "/metrics", null);
    assertEquals(200, response.statusCode());
    return response.body();
  }

  private static double sample(String metrics, String name) {
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1).trim()))
        .findFirst()
        .orElse(0);
  }

  @Test
  void everyPathOfTheOpenApiDocumentIsServedAndTheDocsPageToo() throws Exception {
    HttpResponse<String> document = send(0, "GET", "/openapi.json", null);
    assertEquals(200, document.statusCode());
    JsonNode openapi = json(document);
    assertEquals("3.1.0", openapi.get("openapi").asText());
    List<String> checked = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = openapi.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (String method : List.of("get", "put", "delete")) {
        if (path.getValue().has(method)
            && path.getValue().get(method).at("/responses/200/content").has("text/event-stream")) {
          // A stream never ends: its status is what there is to check.
          HttpResponse<Stream<String>> stream =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create(base(0) + path.getKey())).build(),
                  BodyHandlers.ofLines());
          stream.body().close();
          assertEquals(200, stream.statusCode(), path.getKey());
          checked.add(method + " " + path.getKey());
        } else if (path.getValue().has(method)) {
          String url = path.getKey().replace("{key}", unique("openapi"));
          HttpResponse<String> response =
              send(0, method.toUpperCase(), url, method.equals("put") ? "valor" : null);
          assertNotEquals(405, response.statusCode(), method + " " + url);
          assertTrue(
              response.statusCode() != 404 || response.body().contains("no such key"),
              method + " " + url + ": " + response.body());
          assertTrue(
              path.getValue()
                  .get(method)
                  .get("responses")
                  .has(String.valueOf(response.statusCode())),
              method + " " + url + " answered " + response.statusCode() + ", not documented");
          checked.add(method + " " + path.getKey());
        }
      }
    }
    assertEquals(11, checked.size(), checked.toString());
    HttpResponse<String> docs = send(0, "GET", "/docs", null);
    assertEquals(200, docs.statusCode());
    assertTrue(docs.body().contains("/openapi.json"));
    assertEquals(200, send(0, "GET", "/docs/swagger-ui-bundle.js", null).statusCode());
    assertEquals(200, send(0, "GET", "/docs/swagger-ui.css", null).statusCode());
  }
}
