/**
 * A KVS server: {@link kvs.server.ServerMain} reads the command line, {@link kvs.server.KvsServer}
 * wires the parts together and owns their lifecycle.
 *
 * <p>The path of one write through the packages: {@link kvs.server.grpc.KvsService} takes an {@code
 * Insere} and hands it to {@link kvs.server.replication.WritePublisher}, which batches it with
 * other waiting writes into one message and publishes it on the ordered stream ({@link
 * kvs.server.replication.MqttTransport}). Every server, this one included, receives the stream in
 * one order; {@link kvs.server.replication.StreamRouter} passes each message to {@link
 * kvs.server.replication.WritesApplier}, which applies it to the {@link kvs.server.state.Replica}
 * (the deterministic {@link kvs.core.replication.StateMachine}), records it durably when there is a
 * data directory ({@link kvs.server.durability}), and, on the server that published it, completes
 * the waiting write with the version the state machine gave it. The reply goes back through {@code
 * KvsService}.
 *
 * <p>Dependencies go one way: this package uses {@code grpc}, {@code http}, {@code metrics}, {@code
 * replication}, {@code durability} and {@code state}; {@code http} uses only the generated gRPC
 * classes; {@code metrics} uses {@code grpc} and {@code replication}; {@code grpc} uses {@code
 * replication} and {@code state}; {@code replication} uses {@code state}.
 */
package kvs.server;
