package kvs.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How one server behaves, apart from where it listens and which broker it uses.
 *
 * @param serverId stable id: in replication messages, and (prefixed) the MQTT client id
 * @param writeTimeout how long a write may wait to be replicated before it answers -1
 * @param syncTimeout how long catching up waits for peers' answers before it goes on alone
 * @param heartbeatInterval how often the server tells its peers where it is
 * @param catchUpWait how long a call that arrives while the server catches up may wait for it
 */
public record ServerConfig(
    String serverId, Duration writeTimeout, Duration syncTimeout, Duration heartbeatInterval, Duration catchUpWait) {
  /** The default of {@code --catch-up-wait}. */
  public static final Duration DEFAULT_CATCH_UP_WAIT = Duration.ofSeconds(10);

  public ServerConfig(String serverId, Duration writeTimeout, Duration syncTimeout, Duration heartbeatInterval) {
    this(serverId, writeTimeout, syncTimeout, heartbeatInterval, DEFAULT_CATCH_UP_WAIT);
  }

  public ServerConfig {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    Objects.requireNonNull(syncTimeout, "syncTimeout");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(catchUpWait, "catchUpWait");
  }

}
