package kvs.bench;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The kinds of load the benchmark generates, with their per-kind defaults. */
enum Workload {
  /** Unary writes (Insere; etcd Put). */
  INSERE("insere", EnumSet.allOf(SystemKind.class), 10_000, 0, 16),
  /** Unary reads of a key space, optionally loaded first (Consulta; etcd serializable Range). */
  CONSULTA("consulta", EnumSet.allOf(SystemKind.class), 10_000, 100_000, 16),
  /** Unary reads and writes over one key space, in the ratio of --read-ratio. */
  MIXED("mixed", EnumSet.allOf(SystemKind.class), 10_000, 100_000, 16),
  /** InsereVarias streams of --batch items; counted in items. */
  INSERE_VARIAS("insere-varias", EnumSet.of(SystemKind.KVS), 100_000, 0, 16),
  /** Snapshot(0) streams over a loaded key space. */
  SNAPSHOT("snapshot", EnumSet.of(SystemKind.KVS), 10, 100_000, 1),
  /** Write on one server, read it back on another: the replication lag. */
  LAG("lag", EnumSet.of(SystemKind.KVS), 1_000, 0, 16);

  private final String label;
  private final Set<SystemKind> systems;
  private final long defaultCount;
  private final long defaultKeys;
  private final int defaultConcurrency;

  Workload(
      String label,
      Set<SystemKind> systems,
      long defaultCount,
      long defaultKeys,
      int defaultConcurrency) {
    this.label = label;
    this.systems = systems;
    this.defaultCount = defaultCount;
    this.defaultKeys = defaultKeys;
    this.defaultConcurrency = defaultConcurrency;
  }

  /** The name on the command line and in the report. */
  String label() {
    return label;
  }

  boolean supports(SystemKind system) {
    return systems.contains(system);
  }

  /** The systems that support this workload, for an error message: "kvs, etcd". */
  String supportedSystems() {
    return systems.stream().map(SystemKind::label).collect(Collectors.joining(", "));
  }

  /** The run's size when neither --count nor --duration is given: requests, items or probes. */
  long defaultCount() {
    return defaultCount;
  }

  /** The key space when --keys is not given; 0 means a distinct key for every request. */
  long defaultKeys() {
    return defaultKeys;
  }

  int defaultConcurrency() {
    return defaultConcurrency;
  }

  /**
   * Whether one operation is a stream of items (InsereVarias, Snapshot): items are counted too, and
   * latencies are per stream.
   */
  boolean streamsItems() {
    return this == INSERE_VARIAS || this == SNAPSHOT;
  }

  /** Whether the workload reads keys that --preload can load first. */
  boolean canPreload() {
    return this == CONSULTA || this == MIXED || this == SNAPSHOT;
  }

  /** Parses the WORKLOAD parameter. */
  static final class Converter implements ITypeConverter<Workload> {
    @Override
    public Workload convert(String value) {
      for (Workload workload : values()) {
        if (workload.label.equalsIgnoreCase(value.trim())) {
          return workload;
        }
      }
      throw new TypeConversionException(
          "'" + value + "' is not a workload; use one of " + String.join(", ", new Names()));
    }
  }

  /** The names for the help text. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(values()).map(Workload::label).iterator();
    }
  }
}
