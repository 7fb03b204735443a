package kvs.server.faults;

import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import kvs.proto.ChaveValor;
import kvs.server.testing.ServerProcess;

/**
 * A steady stream of inserts, one writer per server, that remembers every write the cluster
 * acknowledged (answered with a version >= 1): those must survive whatever happens.
 */
final class WriteLoad implements AutoCloseable {
  private final ExecutorService writers;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong attempts = new AtomicLong();

  /** key -> version -> value, for every acknowledged write. */
  private final Map<String, Map<Integer, String>> acknowledged = new ConcurrentHashMap<>();

  WriteLoad(List<ServerProcess> targets) {
    writers = Executors.newFixedThreadPool(targets.size());
    for (int w = 0; w < targets.size(); w++) {
      ServerProcess target = targets.get(w);
      String writer = "w" + w;
      writers.execute(
          () -> {
            for (long n = 0; running.get(); n++) {
              String key = "load-" + (n % 40);
              String value = writer + "-" + n;
              attempts.incrementAndGet();
              try {
                int version =
                    target
                        .kvs()
                        .insere(ChaveValor.newBuilder().setChave(key).setValor(value).build())
                        .getVersao();
                if (version >= 1) {
                  String before =
                      acknowledged
                          .computeIfAbsent(key, k -> new ConcurrentHashMap<>())
                          .put(version, value);
                  if (before != null) {
                    throw new AssertionError(
                        "version " + version + " of " + key + " acknowledged twice");
                  }
                }
              } catch (StatusRuntimeException e) {
                // Unavailable (catching up, restarting, broker away): not acknowledged, fine.
                pause();
              }
            }
          });
    }
  }

  long acknowledgedCount() {
    return acknowledged.values().stream().mapToLong(Map::size).sum();
  }

  Map<String, Map<Integer, String>> acknowledged() {
    return acknowledged;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    writers.shutdown();
    if (!writers.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new AssertionError("writers did not stop");
    }
  }

  private static void pause() {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
  }
}
