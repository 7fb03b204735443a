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
 */
public record ServerConfig(
    String serverId, Duration writeTimeout, Duration syncTimeout, Duration heartbeatInterval) {
  public ServerConfig {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    Objects.requireNonNull(syncTimeout, "syncTimeout");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
  }

}
