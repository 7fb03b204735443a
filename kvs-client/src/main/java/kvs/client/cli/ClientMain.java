package kvs.client.cli;

/** Entry point of {@code kvs-client-cli.jar}. */
public final class ClientMain {

  private ClientMain() {}

  /**
   * Runs the command-line client and exits with its exit code.
   *
   * @param args the command line, see {@code --help}
   */
  public static void main(String[] args) {
    System.exit(ClientCommand.newCommandLine(ClientFactory.overTcp()).execute(args));
  }
}
