/**
 * The HTTP port ({@code --http-port}): health ({@link kvs.server.http.HealthHandler}), the JSON API
 * ({@link kvs.server.http.KvHandler}, {@link kvs.server.http.StatusHandler}), metrics, OpenAPI,
 * Swagger UI and the web console ({@link kvs.server.http.StaticFiles}), served by the JDK's HTTP
 * server ({@link kvs.server.http.HttpApi}).
 *
 * <p>The JSON API holds no logic of its own: it calls this server's gRPC services through an
 * in-process channel, so an HTTP write has the same request ids, catch-up waits, limits and answers
 * as a gRPC one. It uses only the generated {@code kvs.proto} classes, not the server's internals.
 */
package kvs.server.http;
