package kvs.client.internal;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import java.time.Duration;
import java.util.List;

/**
 * What {@link kvs.client.KvsClientBuilder} collected, checked there.
 *
 * @param targets the servers to connect to; empty when {@code channel} is given
 * @param channel a caller-owned channel, or {@code null}
 * @param deadline the default deadline of every call
 * @param credentials how to secure the connections to {@code targets}
 * @param keepAliveTime idle time before a keepalive ping, or {@code null} for none
 * @param keepAliveTimeout how long to wait for a ping's answer, or {@code null}
 * @param maxAttempts attempts per call, 1 for no retries
 * @param retryWrites whether writes are retried like reads
 * @param readYourWrites whether reads send this client's position
 */
public record ClientConfig(
    List<HostAndPort> targets,
    Channel channel,
    Duration deadline,
    ChannelCredentials credentials,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    int maxAttempts,
    boolean retryWrites,
    boolean readYourWrites) {}
