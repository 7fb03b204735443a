/**
 * The KVS client library: a {@link kvs.client.KvsClient} built with {@link
 * kvs.client.KvsClient#builder()}, the value types it returns and the one exception it throws.
 *
 * <p>Nothing in this package exposes gRPC or protobuf types, except that a caller may hand the
 * builder an {@link io.grpc.Channel} of its own.
 */
package kvs.client;
