package kvs.client.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Answers what a command did not expect with one line instead of a stack trace: an argument the
 * client library refused (IllegalArgumentException) is a usage error, anything else exits 4.
 */
final class OneLineErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean usage = ex instanceof IllegalArgumentException;
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    err.println(cmd.getColorScheme().errorText("kvs: " + (usage ? message : "unexpected error: " + message)));
    if (usage) {
      err.printf("Try './%s --help' for more information.%n", cmd.getCommandSpec().qualifiedName());
    }
    err.flush();
    return usage ? ClientCommand.EXIT_USAGE : ClientCommand.EXIT_SERVER_ERROR;
  }
}
