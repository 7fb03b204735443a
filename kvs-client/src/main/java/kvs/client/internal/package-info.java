/**
 * The gRPC implementation of {@link kvs.client.KvsClient}. Not API: nothing here is meant to be
 * used directly, and it may change at any time. This is the only place that knows the wire's
 * message types and their in-band answers (-1, 0, the blank tuple), the KVS call metadata ({@code
 * kvs-request-id}, {@code kvs-min-position}, {@code kvs-position}), and the channel's name
 * resolution, load balancing and retry policy.
 */
package kvs.client.internal;
