package kvs.bench;

/**
 * A run that cannot go on (a target unreachable, loading failed): one line for the user and an exit
 * code.
 */
final class BenchException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  BenchException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
