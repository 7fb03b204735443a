package kvs.client.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Answers a usage error with one line, the synopsis and a hint: no stack trace, no full help. */
final class ShortErrorMessageHandler implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText("kvs: " + ex.getMessage()));
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.print(cmd.getHelp().fullSynopsis());
    err.printf("Try './%s --help' for more information.%n", cmd.getCommandSpec().qualifiedName());
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
