package kvs.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import kvs.server.http.HttpExchanges.HttpError;

/**
 * {@code /livez} (the process answers) and {@code /readyz} (connected to the broker and caught up:
 * gRPC health's rule): 200 or 503, and with {@code ?verbose} one line per check, as Kubernetes' own
 * endpoints write them.
 */
final class HealthHandler implements HttpHandler {
  private final String name;
  private final Map<String, BooleanSupplier> checks;

  private HealthHandler(String name, Map<String, BooleanSupplier> checks) {
    this.name = name;
    this.checks = checks;
  }

  static HealthHandler liveness() {
    return new HealthHandler("livez", Map.of("process", () -> true));
  }

  static HealthHandler readiness(BooleanSupplier brokerConnected, BooleanSupplier caughtUp) {
    Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
    checks.put("broker", brokerConnected);
    checks.put("caught-up", caughtUp);
    return new HealthHandler("readyz", checks);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (HttpExchanges.refusedMethod(exchange, "GET", "HEAD")) {
        return;
      }
      boolean verbose;
      try {
        verbose = HttpExchanges.query(exchange).containsKey("verbose");
      } catch (HttpError e) {
        HttpExchanges.error(exchange, e);
        return;
      }
      StringBuilder lines = new StringBuilder();
      boolean ok = true;
      for (Map.Entry<String, BooleanSupplier> check : checks.entrySet()) {
        boolean passed = check.getValue().getAsBoolean();
        ok &= passed;
        lines.append(passed ? "[+]" : "[-]").append(check.getKey());
        lines.append(passed ? " ok\n" : " failed\n");
      }
      String verdict = name + (ok ? " check passed\n" : " check failed\n");
      HttpExchanges.text(
          exchange, ok ? 200 : 503, verbose ? lines + verdict : ok ? "ok\n" : verdict);
    }
  }
}
