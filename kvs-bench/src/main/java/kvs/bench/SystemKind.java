package kvs.bench;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What the benchmark measures: KVS servers, etcd, or a gRPC server that does no work. */
enum SystemKind {
  /** KVS servers ({@code kvs.KVS}). */
  KVS,
  /** etcd v3 ({@code etcdserverpb.KV/Put}, serializable {@code etcdserverpb.KV/Range}). */
  ETCD,
  /** The echo server of {@code bench echo-server}: {@code kvs.KVS} answered without any work. */
  ECHO;

  /** The name on the command line and in the report: {@code kvs}, {@code etcd}, {@code echo}. */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code --system}. */
  static final class Converter implements ITypeConverter<SystemKind> {
    @Override
    public SystemKind convert(String value) {
      for (SystemKind kind : values()) {
        if (kind.label().equalsIgnoreCase(value.trim())) {
          return kind;
        }
      }
      throw new TypeConversionException("'" + value + "' is not a system; use kvs, etcd or echo");
    }
  }

  /** The names for the help text. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(values()).map(SystemKind::label).iterator();
    }
  }
}
