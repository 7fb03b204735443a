/**
 * What {@code /metrics} reports: {@link kvs.server.metrics.KvsMetrics} keeps the Prometheus
 * registry (the server's gauges read from its {@link kvs.server.grpc.ServerView}, the stream's
 * counters, the fsync histogram, JVM metrics), and {@link kvs.server.metrics.CallMetrics} times
 * every gRPC call by method and status. No label carries a key.
 */
package kvs.server.metrics;
