package kvs.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import kvs.proto.KvsErrorReason;

/** What every handler does with an exchange: JSON answers, errors, query strings, bodies. */
final class HttpExchanges {
  static final ObjectMapper JSON = new ObjectMapper();

  /** How much of a body over the limit is read and dropped so that the client hears why. */
  private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

  private HttpExchanges() {}

  /** A failure the handler could not answer otherwise: its status, code and message. */
  static final class HttpError extends Exception {
    final int status;
    final String code;

    HttpError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
    send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
  }

  static void text(HttpExchange exchange, int status, String body) throws IOException {
    send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** {@code {"error": message, "code": code}} with {@code status}. */
  static void error(HttpExchange exchange, HttpError error) throws IOException {
    if (error.status == 503) {
      exchange.getResponseHeaders().set("Retry-After", "1");
    }
    ObjectNode body =
        JSON.createObjectNode().put("error", error.getMessage()).put("code", error.code);
    json(exchange, error.status, body);
  }

  /** The HTTP answer for a failed gRPC call: a status that fits, and the server's reason. */
  static HttpError fromGrpc(StatusRuntimeException e) {
    String message = e.getStatus().getDescription() != null ? e.getStatus().getDescription() : "";
    return switch (e.getStatus().getCode()) {
      case UNAVAILABLE ->
          new HttpError(
              503,
              KvsErrorReason.of(e).map(Enum::name).orElse("UNAVAILABLE"),
              "the server cannot answer yet: " + message);
      case DEADLINE_EXCEEDED -> new HttpError(504, "DEADLINE_EXCEEDED", "no answer in time");
      case INVALID_ARGUMENT -> new HttpError(400, "BAD_REQUEST", message);
      case RESOURCE_EXHAUSTED -> new HttpError(413, "TOO_LARGE", message);
      // A watch's position no longer held: gone for good here.
      case OUT_OF_RANGE ->
          new HttpError(410, KvsErrorReason.of(e).map(Enum::name).orElse("OUT_OF_RANGE"), message);
      default -> new HttpError(500, "INTERNAL", e.getStatus().getCode() + ": " + message);
    };
  }

  /** Answers 405 unless the request's method is one of {@code allowed}; true when it did. */
  static boolean refusedMethod(HttpExchange exchange, String... allowed) throws IOException {
    if (java.util.Arrays.asList(allowed).contains(exchange.getRequestMethod())) {
      return false;
    }
    error(exchange, methodNotAllowed(exchange, String.join(", ", allowed)));
    return true;
  }

  static HttpError methodNotAllowed(HttpExchange exchange, String allowed) {
    exchange.getResponseHeaders().set("Allow", allowed);
    return new HttpError(
        405,
        "METHOD_NOT_ALLOWED",
        exchange.getRequestMethod() + " is not allowed here; use " + allowed);
  }

  /** The query's parameters, decoded (the last of a repeated one). */
  static Map<String, String> query(HttpExchange exchange) throws HttpError {
    Map<String, String> parameters = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.put(decode(name.replace('+', ' ')), decode(value.replace('+', ' ')));
    }
    return parameters;
  }

  /** An optional integer parameter; 400 when it is not one. */
  static Integer intParameter(Map<String, String> query, String name) throws HttpError {
    String text = query.get(name);
    if (text == null) {
      return null;
    }
    try {
      return Integer.valueOf(text.strip());
    } catch (NumberFormatException e) {
      throw new HttpError(
          400, "BAD_PARAMETER", name + " must be a whole number, got '" + text + "'");
    }
  }

  /** Percent-decoding as in paths: {@code %XX} bytes of UTF-8; a {@code +} stays a plus. */
  static String decode(String raw) throws HttpError {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw badEncoding(raw);
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw badEncoding(raw);
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    try {
      return decoder.decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new HttpError(400, "BAD_ENCODING", "'" + raw + "' is not percent-encoded UTF-8");
    }
  }

  private static HttpError badEncoding(String raw) {
    return new HttpError(400, "BAD_ENCODING", "'" + raw + "' has a broken percent escape");
  }

  /** The request body, refused with 413 beyond {@code limit} bytes. */
  static byte[] body(HttpExchange exchange, int limit) throws IOException, HttpError {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        // Read (up to a bound) what the client still sends: a connection closed under a client
        // that is sending would lose our answer.
        byte[] drain = new byte[64 * 1024];
        for (long read = 0; read < DRAIN_LIMIT; ) {
          int n = in.read(drain);
          if (n < 0) {
            break;
          }
          read += n;
        }
        throw tooLarge(limit);
      }
      return body;
    }
  }

  private static HttpError tooLarge(int limit) {
    return new HttpError(
        413, "BODY_TOO_LARGE", "the body is over " + limit + " bytes (--max-message-size)");
  }
}
