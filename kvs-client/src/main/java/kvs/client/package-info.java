/**
 * The KVS client library: a {@link kvs.client.KvsClient} built with {@link
 * kvs.client.KvsClient#builder()}, the value types it returns and the one exception it throws.
 *
 * <p>Start at {@link kvs.client.KvsClient}: blocking calls there, the same as futures in {@link
 * kvs.client.AsyncKvsClient}, streaming batches and snapshots, retries that never apply a write
 * twice, and reads that see the client's own writes on any server.
 *
 * <p>Nothing in this package exposes protobuf types. The only gRPC types are optional inputs of the
 * builder: a caller's own {@link io.grpc.Channel}, or {@link io.grpc.ChannelCredentials} for TLS.
 */
package kvs.client;
