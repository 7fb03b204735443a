package kvs.client.cli;

import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The operations of {@code -o/--op}, named as in the course's client. */
public enum Op {
  /** Stores one value (RPC Insere). */
  INSERE("insere"),
  /** Reads one key (RPC Consulta). */
  CONSULTA("consulta"),
  /** Removes one key or version (RPC Remove). */
  REMOVE("remove"),
  /** Stores several values (stream InsereVarias). */
  INSERE_V("insere-v"),
  /** Reads several keys (stream ConsultaVarias). */
  CONSULTA_V("consulta-v"),
  /** Removes several keys or versions (stream RemoveVarias). */
  REMOVE_V("remove-v"),
  /** Reads every key at a version (stream Snapshot). */
  SNAPSHOT("snapshot"),
  /** Reports the server's replication state (RPC kvs.admin.KvsAdmin/Status). */
  STATUS("status");

  private final String cliName;

  Op(String cliName) {
    this.cliName = cliName;
  }

  /** Returns the name used on the command line, for example {@code insere-v}. */
  @Override
  public String toString() {
    return cliName;
  }

  /** Parses {@code -o} values by their command-line names. */
  static final class Converter implements ITypeConverter<Op> {
    @Override
    public Op convert(String value) {
      return Arrays.stream(values())
          .filter(op -> op.cliName.equals(value))
          .findFirst()
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "'" + value + "' is not an operation; expected one of " + new Names()));
    }
  }

  /** The command-line names, for {@code --help} and error messages. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(values()).map(Op::toString).iterator();
    }

    @Override
    public String toString() {
      return String.join(", ", this);
    }
  }
}
