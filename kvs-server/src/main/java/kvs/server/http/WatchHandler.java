package kvs.server.http;

import static kvs.server.http.HttpExchanges.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.proto.KvsErrorReason;
import kvs.proto.watch.WatchEvent;
import kvs.proto.watch.WatchGrpc;
import kvs.proto.watch.WatchRequest;
import kvs.proto.watch.WatchResponse;
import kvs.server.http.HttpExchanges.HttpError;

/**
 * {@code GET /v1/watch?prefix=P&from=N}: the Watch service as Server-Sent Events. Each answer is
 * one event whose id is its position, so a browser's {@code EventSource} resumes exactly where it
 * was through {@code Last-Event-ID}: {@code change} (the changes of one stream entry) or {@code
 * progress}. A watch that cannot start answers an HTTP error (410 for a position no longer held,
 * which also stops an {@code EventSource} from retrying); one that ends later sends an {@code
 * error} event and closes.
 *
 * <p>Streams run on threads of their own, at most {@value #MAX_STREAMS} at once, so that watchers
 * never take the threads the rest of the API answers on.
 */
final class WatchHandler implements HttpHandler {
  static final String PATH = "/v1/watch";
  static final int MAX_STREAMS = 256;

  private final Channel channel;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);
  private final ExecutorService threads;

  WatchHandler(Channel channel) {
    this.channel = channel;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "kvs-http-watch-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      if (HttpExchanges.refusedMethod(exchange, "GET")) {
        exchange.close();
        return;
      }
      if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
        throw new HttpError(404, "NOT_FOUND", "no such resource: " + exchange.getRequestURI());
      }
      WatchRequest request = request(exchange);
      if (!streams.tryAcquire()) {
        throw new HttpError(
            503, "TOO_MANY_WATCHERS", "this server already streams " + MAX_STREAMS + " watches");
      }
      try {
        threads.execute(() -> stream(exchange, request));
      } catch (RejectedExecutionException e) {
        streams.release();
        throw new HttpError(503, "UNAVAILABLE", "the server is shutting down");
      }
    } catch (HttpError e) {
      try (exchange) {
        HttpExchanges.error(exchange, e);
      }
    }
  }

  /** Ends every stream (the server stops). */
  void stop() {
    threads.shutdownNow();
  }

  private static WatchRequest request(HttpExchange exchange) throws HttpError {
    Map<String, String> query = HttpExchanges.query(exchange);
    String resume = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    long from = position(resume != null ? resume : query.getOrDefault("from", "0"));
    return WatchRequest.newBuilder()
        .setPrefix(query.getOrDefault("prefix", ""))
        .setFromPosition(from)
        .build();
  }

  private static long position(String text) throws HttpError {
    try {
      long position = Long.parseLong(text.strip());
      if (position >= 0) {
        return position;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new HttpError(400, "BAD_REQUEST", "a position is a whole number, 0 or more: " + text);
  }

  private void stream(HttpExchange exchange, WatchRequest request) {
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach(); // the call is cancelled with it when the watcher leaves
    try (exchange) {
      Iterator<WatchResponse> answers = WatchGrpc.newBlockingStub(channel).watch(request);
      try {
        answers.hasNext(); // the first answer, or why there is none: before the status line
      } catch (StatusRuntimeException e) {
        HttpError error = HttpExchanges.fromGrpc(e);
        String oldest = KvsErrorReason.metadataOf(e).get(KvsErrorReason.OLDEST_POSITION);
        if (oldest != null) {
          exchange.getResponseHeaders().set("Kvs-Oldest-Position", oldest);
        }
        HttpExchanges.error(exchange, error);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      try {
        out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
        while (answers.hasNext()) {
          out.write(event(answers.next()));
          out.flush();
        }
      } catch (StatusRuntimeException e) {
        HttpError error = HttpExchanges.fromGrpc(e);
        ObjectNode body =
            JSON.createObjectNode().put("error", error.getMessage()).put("code", error.code);
        out.write(("event: error\ndata: " + body + "\n\n").getBytes(StandardCharsets.UTF_8));
      }
      out.close();
    } catch (IOException e) {
      // The watcher went away: the context's cancellation below ends the gRPC call.
    } finally {
      context.detach(previous);
      context.cancel(null);
      streams.release();
    }
  }

  private static byte[] event(WatchResponse answer) {
    ObjectNode data = JSON.createObjectNode().put("position", answer.getPosition());
    String name = "progress";
    if (answer.getEventsCount() > 0) {
      name = "change";
      ArrayNode events = data.putArray("events");
      for (WatchEvent event : answer.getEventsList()) {
        ObjectNode change =
            events
                .addObject()
                .put("kind", event.getKind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("key", event.getKey())
                .put("version", event.getVersion());
        if (event.getKind() == WatchEvent.Kind.PUT) {
          change.put("value", event.getValue());
        }
      }
    }
    String text = "id: " + answer.getPosition() + "\nevent: " + name + "\ndata: " + data + "\n\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
