package kvs.server;

import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging, which grpc-java and Netty write to, into the server's own log, so that
 * every line has one format. A call that failed because of what a client sent (a gRPC status as the
 * throwable, such as a message over the size limit) is one line, without a stack trace: it is no
 * fault of the server's.
 */
final class JulToServerLog extends SLF4JBridgeHandler {
  private static final Formatter MESSAGES = new SimpleFormatter(); // for its formatMessage only

  /**
   * Replaces java.util.logging's console output with this bridge, passing {@code level} and above.
   */
  static void install(Level level) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    root.addHandler(new JulToServerLog());
  }

  @Override
  public void publish(LogRecord record) {
    Throwable thrown = record.getThrown();
    if (thrown instanceof StatusRuntimeException || thrown instanceof StatusException) {
      LogRecord oneLine =
          new LogRecord(
              record.getLevel(), MESSAGES.formatMessage(record) + ": " + thrown.getMessage());
      oneLine.setLoggerName(record.getLoggerName());
      oneLine.setInstant(record.getInstant());
      super.publish(oneLine);
      return;
    }
    super.publish(record);
  }
}
