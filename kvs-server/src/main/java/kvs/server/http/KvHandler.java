package kvs.server.http;

import static kvs.server.http.HttpExchanges.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.server.http.HttpExchanges.HttpError;

/**
 * {@code /v1/kv}: the key-value API over HTTP and JSON. Every call goes through {@code kvs.KVS} on
 * an in-process channel, so it has the gRPC API's semantics exactly: replication, waiting out a
 * catch-up, request ids ({@code Kvs-Request-Id}), read-your-writes ({@code Kvs-Min-Position}) and
 * the position of the answer ({@code Kvs-Position}).
 */
final class KvHandler implements HttpHandler {
  static final String PREFIX = "/v1/kv";

  private static final Metadata.Key<String> REQUEST_ID = ascii("kvs-request-id");
  private static final Metadata.Key<String> MIN_POSITION = ascii("kvs-min-position");
  private static final Metadata.Key<String> POSITION = ascii("kvs-position");
  private static final Metadata.Key<String> ERROR = ascii("kvs-error");

  /** How long one call may take, as the CLI's default deadline. */
  private static final long DEADLINE_SECONDS = 10;

  private final Channel channel;
  private final int maxBodyBytes;

  KvHandler(Channel channel, int maxBodyBytes) {
    this.channel = channel;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (HttpError e) {
        HttpExchanges.error(exchange, e);
      } catch (StatusRuntimeException e) {
        HttpExchanges.error(exchange, HttpExchanges.fromGrpc(e));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, HttpError {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      if (!method.equals("GET")) {
        throw HttpExchanges.methodNotAllowed(exchange, "GET");
      }
      snapshot(exchange);
      return;
    }
    String rest = path.substring(PREFIX.length() + 1);
    boolean versions = rest.endsWith("/versions");
    String rawKey = versions ? rest.substring(0, rest.length() - "/versions".length()) : rest;
    if (rawKey.isEmpty() || rawKey.contains("/")) {
      throw new HttpError(
          404, "NOT_FOUND", "no such resource: " + path + " (a key's '/' is written %2F)");
    }
    String key = HttpExchanges.decode(rawKey);
    if (versions) {
      if (!method.equals("GET")) {
        throw HttpExchanges.methodNotAllowed(exchange, "GET");
      }
      versions(exchange, key);
      return;
    }
    switch (method) {
      case "GET" -> get(exchange, key);
      case "PUT" -> put(exchange, key);
      case "DELETE" -> delete(exchange, key);
      default -> throw HttpExchanges.methodNotAllowed(exchange, "GET, PUT, DELETE");
    }
  }

  private void put(HttpExchange exchange, String key) throws IOException, HttpError {
    String value = value(exchange);
    Call call = new Call(exchange);
    int version =
        call.stub()
            .insere(ChaveValor.newBuilder().setChave(key).setValor(value).build())
            .getVersao();
    call.answerPosition();
    if (version < 1) {
      throw refused(call.error());
    }
    HttpExchanges.json(
        exchange, 200, JSON.createObjectNode().put("key", key).put("version", version));
  }

  private void get(HttpExchange exchange, String key) throws IOException, HttpError {
    Integer version = HttpExchanges.intParameter(HttpExchanges.query(exchange), "version");
    Call call = new Call(exchange);
    Tupla found = call.stub().consulta(keyVersion(key, version));
    call.answerPosition();
    if (found.getVersao() < 1) {
      throw new HttpError(
          404,
          "NOT_FOUND",
          version == null ? "no such key" : "no version of the key at or below " + version);
    }
    HttpExchanges.json(exchange, 200, entry(found));
  }

  /** Every live version, ascending: the greatest at or below each, downwards from the newest. */
  private void versions(HttpExchange exchange, String key) throws IOException, HttpError {
    Call call = new Call(exchange);
    List<Tupla> found = new ArrayList<>();
    Tupla next = call.stub().consulta(keyVersion(key, null));
    while (next.getVersao() >= 1) {
      found.add(0, next);
      if (next.getVersao() == 1) {
        break;
      }
      next = call.stub().consulta(keyVersion(key, next.getVersao() - 1));
    }
    call.answerPosition();
    if (found.isEmpty()) {
      throw new HttpError(404, "NOT_FOUND", "no such key");
    }
    ObjectNode body = JSON.createObjectNode().put("key", key);
    ArrayNode list = body.putArray("versions");
    for (Tupla tupla : found) {
      list.addObject().put("version", tupla.getVersao()).put("value", tupla.getValor());
    }
    HttpExchanges.json(exchange, 200, body);
  }

  private void delete(HttpExchange exchange, String key) throws IOException, HttpError {
    Integer version = HttpExchanges.intParameter(HttpExchanges.query(exchange), "version");
    Call call = new Call(exchange);
    int answer = call.stub().remove(keyVersion(key, version)).getVersao();
    call.answerPosition();
    if (answer < 0) {
      String why = call.error();
      if (why != null && !why.startsWith("INVALID_INPUT")) {
        throw refused(why);
      }
      throw new HttpError(
          404,
          "NOT_FOUND",
          why != null
              ? why
              : version == null ? "no such key" : "no version " + version + " of the key");
    }
    HttpExchanges.json(
        exchange, 200, JSON.createObjectNode().put("key", key).put("version", answer));
  }

  /**
   * {@code ?version=N&prefix=P&after=K&limit=L}: newline-delimited JSON, one key a line in key
   * order, written as the server's snapshot stream yields it (never whole in memory).
   */
  private void snapshot(HttpExchange exchange) throws IOException, HttpError {
    Map<String, String> query = HttpExchanges.query(exchange);
    Integer version = HttpExchanges.intParameter(query, "version");
    Integer limit = HttpExchanges.intParameter(query, "limit");
    String prefix = query.getOrDefault("prefix", "");
    String after = query.get("after");
    Call call = new Call(exchange);
    try (Context.CancellableContext context = Context.current().withCancellation()) {
      Iterator<Tupla> entries =
          context.call(
              () ->
                  call.stub()
                      .snapshot(
                          Versao.newBuilder().setVersao(version == null ? 0 : version).build()));
      Tupla next = nextWanted(entries, prefix, after);
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int left = limit == null || limit < 1 ? Integer.MAX_VALUE : limit;
            next != null && left > 0;
            left--) {
          out.write(line(next));
          next = left > 1 ? nextWanted(entries, prefix, after) : null;
        }
      }
      context.cancel(null); // stop the server's stream where we stopped reading
    } catch (IOException | StatusRuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /**
   * The next entry with the prefix and after {@code after}, or null when there is none. The
   * contract's Snapshot of an empty store is one blank entry (version 0): no key, so skipped.
   */
  private static Tupla nextWanted(Iterator<Tupla> entries, String prefix, String after) {
    while (entries.hasNext()) {
      Tupla entry = entries.next();
      if (entry.getVersao() < 1) {
        continue;
      }
      if (pastPrefix(entry, prefix)) {
        return null;
      }
      if (wanted(entry, prefix, after)) {
        return entry;
      }
    }
    return null;
  }

  private static boolean wanted(Tupla entry, String prefix, String after) {
    return entry.getChave().startsWith(prefix)
        && (after == null || entry.getChave().compareTo(after) > 0);
  }

  /** Keys come in order: once past the prefix, no later key has it. */
  private static boolean pastPrefix(Tupla entry, String prefix) {
    return !prefix.isEmpty()
        && entry.getChave().compareTo(prefix) > 0
        && !entry.getChave().startsWith(prefix);
  }

  private static byte[] line(Tupla entry) throws JsonProcessingException {
    return (JSON.writeValueAsString(entry(entry)) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode entry(Tupla tupla) {
    return JSON.createObjectNode()
        .put("key", tupla.getChave())
        .put("value", tupla.getValor())
        .put("version", tupla.getVersao());
  }

  /** The value of a PUT: the body as text, or {@code {"value": "..."}} as JSON. */
  private String value(HttpExchange exchange) throws IOException, HttpError {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    String mediaType =
        type == null ? "text/plain" : type.split(";")[0].strip().toLowerCase(Locale.ROOT);
    byte[] body = HttpExchanges.body(exchange, maxBodyBytes);
    // curl -d sends the form type: its body is taken as it is, like text.
    if (mediaType.equals("text/plain") || mediaType.equals("application/x-www-form-urlencoded")) {
      return new String(body, StandardCharsets.UTF_8);
    }
    if (!mediaType.equals("application/json")) {
      throw new HttpError(
          415,
          "UNSUPPORTED_MEDIA_TYPE",
          "send the value as text/plain (UTF-8) or application/json {\"value\": \"...\"}, not "
              + type);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new HttpError(400, "BAD_JSON", "the body is not JSON: " + e.getOriginalMessage());
    }
    if (json == null || !json.path("value").isTextual()) {
      throw new HttpError(
          400, "BAD_JSON", "the body must be {\"value\": \"...\"} with a string value");
    }
    return json.get("value").asText();
  }

  private static ChaveVersao keyVersion(String key, Integer version) {
    ChaveVersao.Builder request = ChaveVersao.newBuilder().setChave(key);
    if (version != null) {
      request.setVersao(version);
    }
    return request.build();
  }

  /** A write's -1, by the reason the server gave. */
  private static HttpError refused(String reason) {
    String why = reason != null ? reason : "INVALID_INPUT: the server refused the write";
    String code = why.contains(":") ? why.substring(0, why.indexOf(':')) : "REFUSED";
    String message = why.contains(": ") ? why.substring(why.indexOf(": ") + 2) : why;
    int status =
        switch (code) {
          case "KEY_TOO_LARGE", "VALUE_TOO_LARGE", "MESSAGE_TOO_LARGE" -> 413;
          case "NOT_REPLICATED" -> 503;
          default -> 400;
        };
    return new HttpError(status, code, message);
  }

  /** One exchange's calls: its metadata out, its trailers in. */
  private final class Call {
    private final HttpExchange exchange;
    private final AtomicReference<Metadata> trailers = new AtomicReference<>();
    private final KVSGrpc.KVSBlockingStub stub;

    Call(HttpExchange exchange) throws HttpError {
      this.exchange = exchange;
      Metadata headers = new Metadata();
      String requestId = exchange.getRequestHeaders().getFirst("Kvs-Request-Id");
      if (requestId != null) {
        headers.put(REQUEST_ID, ascii(requestId, "Kvs-Request-Id"));
      }
      String minPosition = exchange.getRequestHeaders().getFirst("Kvs-Min-Position");
      if (minPosition != null) {
        headers.put(MIN_POSITION, ascii(minPosition, "Kvs-Min-Position"));
      }
      this.stub =
          KVSGrpc.newBlockingStub(channel)
              .withInterceptors(
                  MetadataUtils.newAttachHeadersInterceptor(headers),
                  MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
              .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    KVSGrpc.KVSBlockingStub stub() {
      return stub;
    }

    /** {@code Kvs-Position} from the last call's trailer. */
    void answerPosition() {
      Metadata last = trailers.get();
      if (last != null && last.get(POSITION) != null) {
        exchange.getResponseHeaders().set("Kvs-Position", last.get(POSITION));
      }
    }

    String error() {
      Metadata last = trailers.get();
      return last == null ? null : last.get(ERROR);
    }

    private String ascii(String value, String header) throws HttpError {
      if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new HttpError(400, "BAD_HEADER", header + " must be printable ASCII");
      }
      return value;
    }
  }

  private static Metadata.Key<String> ascii(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
