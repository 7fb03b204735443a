package kvs.bench;

/** Entry point of {@code kvs-bench.jar} ({@code ./client.sh bench ...}). */
public final class BenchMain {

  private BenchMain() {}

  /**
   * Runs the benchmark and exits with its exit code.
   *
   * @param args the command line, see {@code --help}
   */
  public static void main(String[] args) {
    System.exit(BenchCommand.newCommandLine().execute(args));
  }
}
