package kvs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A run's result for people (a few aligned lines) and for scripts (one JSON line). */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchConfig config;
  private final RunResult result;

  Report(BenchConfig config, RunResult result) {
    this.config = config;
    this.result = result;
  }

  // ---- JSON ----

  /** The fields of the JSON line, in order. */
  Map<String, Object> fields() {
    Map<String, Object> json = new LinkedHashMap<>();
    Measure main = result.main();
    json.put("workload", config.workload().label());
    json.put("system", config.system().label());
    json.put(
        "targets", config.targets().stream().map(Target::toString).collect(Collectors.toList()));
    json.put("concurrency", config.concurrency());
    json.put("rate_per_s", mainRate() > 0 ? mainRate() : null);
    json.put("warmup_s", round(config.warmup().toNanos() / 1e9, 3));
    json.put("keys", config.keys() == 0 ? null : config.keys());
    json.put("key_size", config.keySize());
    json.put("value_size", config.valueSize());
    json.put("ops", main.ops());
    json.put("errors", main.errors());
    json.put("error_kinds", main.errorKinds());
    json.put("first_error", main.firstError());
    json.put("not_found", main.notFound());
    json.put("duration_s", round(main.seconds(), 3));
    json.put("ops_per_s", round(main.opsPerSecond(), 1));
    if (config.workload().streamsItems()) {
      json.put("items", main.items());
      json.put("items_per_s", round(main.itemsPerSecond(), 1));
    }
    if (config.workload() == Workload.INSERE_VARIAS) {
      json.put("batch", config.batch());
    }
    if (config.workload() == Workload.MIXED) {
      json.put("read_ratio", config.readRatio());
    }
    if (result.snapshotEntries() != null) {
      json.put(
          "entries_per_snapshot",
          result.snapshotEntries()[0] < 0 ? null : result.snapshotEntries()[0]);
    }
    putLatencies(json, "", main);
    if (result.lag() != null) {
      putLatencies(json, "lag_", result.lag());
      json.put("load_rate_per_s", config.rate() > 0 ? config.rate() : null);
      Measure load = result.load();
      if (load != null) {
        json.put("load_ops", load.ops());
        json.put("load_errors", load.errors());
        json.put("load_ops_per_s", round(load.opsPerSecond(), 1));
        putLatencies(json, "load_", load);
      }
    }
    return json;
  }

  String json() {
    try {
      return JSON.writeValueAsString(fields());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report that cannot be written as JSON", e);
    }
  }

  private static void putLatencies(Map<String, Object> json, String prefix, Measure measure) {
    json.put(prefix + "p50_ms", round(measure.percentileMs(50), 3));
    json.put(prefix + "p90_ms", round(measure.percentileMs(90), 3));
    json.put(prefix + "p99_ms", round(measure.percentileMs(99), 3));
    json.put(prefix + "max_ms", round(measure.maxMs(), 3));
  }

  private static BigDecimal round(Double value, int decimals) {
    return value == null
        ? null
        : BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP);
  }

  // ---- People ----

  /** The report as lines of text. */
  List<String> lines() {
    Measure main = result.main();
    List<String> lines = new ArrayList<>();
    lines.add(headline());
    lines.add("  " + shape());
    if (result.loadedKeys() > 0) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  loaded     %,d keys first, in %.3f s",
              result.loadedKeys(),
              result.loadSeconds()));
    }
    if (config.workload() == Workload.LAG) {
      lines.add(
          "  lag        "
              + latencies(result.lag())
              + "   (an upper bound: includes one round trip to the reader)");
      lines.add(
          String.format(
              Locale.ROOT,
              "  probes     %,d in %.3f s = %,.1f/s",
              main.ops(),
              main.seconds(),
              main.opsPerSecond()));
      lines.add(
          "  probe      "
              + latencies(main)
              + "   (write on A + read on B, from the intended send time)");
      lines.add("  errors     " + errors(main));
      Measure load = result.load();
      if (load != null) {
        lines.add(
            String.format(
                Locale.ROOT,
                "  load       %,d writes in %.3f s = %,.1f ops/s",
                load.ops(),
                load.seconds(),
                load.opsPerSecond()));
        lines.add("  load lat.  " + latencies(load));
        lines.add("  load err.  " + errors(load));
      }
      return lines;
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "  ops        %,d in %.3f s = %,.1f ops/s",
            main.ops(),
            main.seconds(),
            main.opsPerSecond()));
    if (config.workload() == Workload.INSERE_VARIAS) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  items      %,d = %,.1f items/s (streams of %,d)",
              main.items(),
              main.itemsPerSecond(),
              config.batch()));
    }
    if (config.workload() == Workload.SNAPSHOT) {
      long[] entries = result.snapshotEntries();
      String perStream =
          entries[0] < 0
              ? "no snapshot completed"
              : entries[0] == entries[1]
                  ? String.format(Locale.ROOT, "%,d per snapshot", entries[0])
                  : String.format(Locale.ROOT, "%,d to %,d per snapshot", entries[0], entries[1]);
      lines.add(
          String.format(
              Locale.ROOT,
              "  entries    %,d = %,.1f entries/s (%s)",
              main.items(),
              main.itemsPerSecond(),
              perStream));
      if (entries[1] > config.keys()) {
        lines.add(
            String.format(
                Locale.ROOT,
                "             (the store holds %,d keys besides the %,d loaded)",
                entries[1] - config.keys(),
                config.keys()));
      }
    }
    if (main.notFound() > 0) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  not found  %,d reads found no value%s",
              main.notFound(),
              config.loads() ? "" : " (--preload loads the keys first)"));
    }
    lines.add("  errors     " + errors(main));
    lines.add(
        "  latency    "
            + latencies(main)
            + (config.workload().streamsItems() ? "   (per stream)" : ""));
    return lines;
  }

  private String headline() {
    String targets =
        config.targets().stream().map(Target::toString).collect(Collectors.joining(", "));
    if (config.workload() == Workload.LAG) {
      return String.format(
          Locale.ROOT,
          "lag on %s: write on %s, read on %s",
          config.system().label(),
          config.targets().get(0),
          config.targets().get(1));
    }
    return String.format(
        Locale.ROOT,
        "%s on %s, %d target%s (%s)",
        config.workload().label(),
        config.system().label(),
        config.targets().size(),
        config.targets().size() == 1 ? "" : "s",
        targets);
  }

  /** How the load was shaped: in flight or rate, size, keys. */
  private String shape() {
    StringBuilder text = new StringBuilder();
    if (config.workload() == Workload.LAG) {
      text.append(String.format(Locale.ROOT, "probes at %,.0f/s", config.probeRate()));
      text.append(
          config.rate() > 0
              ? String.format(
                  Locale.ROOT,
                  ", background writes at %,.0f/s over %d targets (%s, at most %d in flight)",
                  config.rate(),
                  config.targets().size(),
                  keySpace(),
                  config.concurrency())
              : ", no background load (--rate adds one)");
    } else if (config.rate() > 0) {
      text.append(
          String.format(
              Locale.ROOT,
              "open loop at %,.0f/s, at most %d in flight",
              config.rate(),
              config.concurrency()));
    } else {
      text.append(String.format(Locale.ROOT, "%d in flight", config.concurrency()));
    }
    if (config.workload() == Workload.MIXED) {
      text.append(String.format(Locale.ROOT, ", %.0f%% reads", config.readRatio() * 100));
    }
    if (config.workload() != Workload.LAG && config.workload() != Workload.SNAPSHOT) {
      text.append(", ").append(keySpace());
    }
    text.append(
        String.format(
            Locale.ROOT, ", keys %d and values %d chars", config.keySize(), config.valueSize()));
    if (!config.warmup().isZero()) {
      text.append(
          String.format(Locale.ROOT, ", after %.1f s of warm-up", config.warmup().toNanos() / 1e9));
    }
    return text.toString();
  }

  private String keySpace() {
    return new KeySpace(new NumberedText("bench-", config.keySize()), config.keys())
        .describe(config.workload() == Workload.INSERE_VARIAS ? "item" : "request");
  }

  private double mainRate() {
    return config.workload() == Workload.LAG ? config.probeRate() : config.rate();
  }

  private static String latencies(Measure measure) {
    if (measure.latencies().getTotalCount() == 0) {
      return "(no answer)";
    }
    return String.format(
        Locale.ROOT,
        "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms",
        measure.percentileMs(50),
        measure.percentileMs(90),
        measure.percentileMs(99),
        measure.maxMs());
  }

  private static String errors(Measure measure) {
    if (measure.errors() == 0) {
      return "0";
    }
    String kinds =
        measure.errorKinds().entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT, "%,d (%s); first: %s", measure.errors(), kinds, measure.firstError());
  }
}
