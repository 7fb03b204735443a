package kvs.client.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gRPC service config of an owned channel, as the JSON-like map {@code
 * ManagedChannelBuilder.defaultServiceConfig} takes: round-robin load balancing, and a retry policy
 * on {@code UNAVAILABLE} for the reads and, unless turned off, the writes. Whether a call may be
 * retried is decided here and nowhere else: writes may, because each carries a request id that the
 * servers deduplicate ({@link RequestMetadata}).
 */
final class ServiceConfig {

  private static final String KVS = "kvs.KVS";
  private static final List<String> READS = List.of("Consulta", "ConsultaVarias", "Snapshot");
  private static final List<String> WRITES =
      List.of("Insere", "Remove", "InsereVarias", "RemoveVarias");

  private ServiceConfig() {}

  static Map<String, Object> of(int maxAttempts, boolean retryWrites) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
    if (maxAttempts > 1) {
      List<Map<String, Object>> names = new ArrayList<>();
      READS.forEach(method -> names.add(Map.of("service", KVS, "method", method)));
      if (retryWrites) {
        WRITES.forEach(method -> names.add(Map.of("service", KVS, "method", method)));
      }
      names.add(Map.of("service", "kvs.admin.KvsAdmin"));
      config.put(
          "methodConfig", List.of(Map.of("name", names, "retryPolicy", retryPolicy(maxAttempts))));
    }
    return config;
  }

  /** Numbers are doubles, as in parsed JSON. */
  private static Map<String, Object> retryPolicy(int maxAttempts) {
    return Map.of(
        "maxAttempts",
        (double) maxAttempts,
        "initialBackoff",
        "0.05s",
        "maxBackoff",
        "1s",
        "backoffMultiplier",
        2.0,
        "retryableStatusCodes",
        List.of("UNAVAILABLE"));
  }
}
