/**
 * The replication stream and everything that keeps this server's state the cluster's: publishing
 * writes ({@link kvs.server.replication.WritePublisher}) paced by the slowest live peer ({@link
 * kvs.server.replication.FlowControl}), applying the stream in order ({@link
 * kvs.server.replication.StreamRouter}, {@link kvs.server.replication.WritesApplier}), presence,
 * heartbeats and catching up from peers ({@link kvs.server.replication.CatchUp}). The transport is
 * behind {@link kvs.server.replication.ReplicationTransport} (MQTT in production, in memory in
 * tests); stream handlers run one at a time on a {@link kvs.server.replication.StreamExecutor}.
 */
package kvs.server.replication;
