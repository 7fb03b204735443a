package kvs.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import kvs.server.http.HttpExchanges.HttpError;

/**
 * Files served from the jar: {@code URL-PREFIX/NAME} is resource {@code DIR/NAME} of the first of
 * the resource directories that has it, and the prefix itself is {@code index.html}. Names with
 * {@code ..} are not served.
 */
final class StaticFiles implements HttpHandler {
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "json", "application/json",
          "png", "image/png",
          "svg", "image/svg+xml",
          "map", "application/json");

  private final String urlPrefix;
  private final String[] resourceDirs;

  StaticFiles(String urlPrefix, String... resourceDirs) {
    this.urlPrefix = urlPrefix;
    this.resourceDirs = resourceDirs;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (HttpExchanges.refusedMethod(exchange, "GET", "HEAD")) {
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String name = path.length() <= urlPrefix.length() ? "" : path.substring(urlPrefix.length());
      if (name.startsWith("/")) {
        name = name.substring(1);
      }
      if (name.isEmpty()) {
        name = "index.html";
      }
      InputStream file = null;
      for (int i = 0; i < resourceDirs.length && file == null && !name.contains(".."); i++) {
        file = StaticFiles.class.getResourceAsStream(resourceDirs[i] + "/" + name);
      }
      if (file == null) {
        HttpExchanges.error(exchange, new HttpError(404, "NOT_FOUND", "no such page: " + path));
        return;
      }
      byte[] bytes;
      try (InputStream in = file) {
        bytes = in.readAllBytes();
      }
      String extension = name.substring(name.lastIndexOf('.') + 1);
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      HttpExchanges.send(
          exchange, 200, TYPES.getOrDefault(extension, "application/octet-stream"), bytes);
    }
  }
}
