/**
 * The gRPC implementation of {@link kvs.client.KvsClient}. Not API: nothing here is meant to be
 * used directly, and it may change at any time. This is the only place that knows the wire's
 * message types and their in-band answers (-1, 0, the blank tuple).
 */
package kvs.client.internal;
