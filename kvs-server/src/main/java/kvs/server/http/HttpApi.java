package kvs.server.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP port ({@code --http-port}): health, the JSON API and the web console, on the JDK's own
 * HTTP server. The API calls the server's gRPC services through {@code channel} (in-process), so
 * both APIs behave the same.
 */
public final class HttpApi {
  /** Swagger UI's files, from its webjar (the version of the pom's dependency). */
  static final String SWAGGER_UI = "/META-INF/resources/webjars/swagger-ui/5.35.0";

  static {
    // Without TCP_NODELAY, an answer's headers and body go out as two small segments and the
    // second waits for the client's delayed ACK: 40 ms a request. Read once, when the JDK's HTTP
    // server first loads.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final WatchHandler watches;

  /**
   * @param port the port to listen on (0: any free one)
   * @param channel the server's own gRPC services, in-process
   * @param maxBodyBytes the largest request body (a value): {@code --max-message-size}
   * @param tls HTTPS with these, or plain HTTP when empty
   */
  public HttpApi(
      int port,
      Channel channel,
      int maxBodyBytes,
      Optional<HttpTls> tls,
      BooleanSupplier brokerConnected,
      BooleanSupplier caughtUp)
      throws IOException {
    if (tls.isPresent()) {
      HttpsServer https = HttpsServer.create(new InetSocketAddress(port), 0);
      SSLContext context = tls.get().context();
      boolean needClientAuth = tls.get().needClientAuth();
      https.setHttpsConfigurator(
          new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters parameters) {
              SSLParameters ssl = context.getDefaultSSLParameters();
              ssl.setNeedClientAuth(needClientAuth);
              parameters.setSSLParameters(ssl);
            }
          });
      server = https;
    } else {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    }
    AtomicInteger count = new AtomicInteger();
    // Handlers block on gRPC calls that may wait out a catch-up: threads, not an event loop.
    threads =
        Executors.newFixedThreadPool(
            32,
            task -> {
              Thread thread = new Thread(task, "kvs-http-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(threads);
    server.createContext("/livez", HealthHandler.liveness());
    server.createContext("/readyz", HealthHandler.readiness(brokerConnected, caughtUp));
    server.createContext(KvHandler.PREFIX, new KvHandler(channel, maxBodyBytes));
    server.createContext("/v1/status", new StatusHandler(channel));
    watches = new WatchHandler(channel);
    server.createContext(WatchHandler.PATH, watches);
    server.createContext("/openapi.json", new StaticFiles("/", "/kvs"));
    server.createContext("/docs", new StaticFiles("/docs", "/kvs/docs", SWAGGER_UI));
    server.createContext("/", new StaticFiles("/", "/kvs/console"));
  }

  /** Adds {@code handler} at {@code path} (before {@link #start}). */
  public void route(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void stop() {
    watches.stop();
    server.stop(0);
    threads.shutdownNow();
  }
}
