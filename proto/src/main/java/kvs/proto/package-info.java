/**
 * The wire contract: the generated messages and stubs of {@code kvs.KVS} (fixed, byte for byte) and
 * of the additive services, plus the machine-readable error reasons ({@link
 * kvs.proto.KvsErrorReason}) that travel in {@code google.rpc.ErrorInfo} details.
 */
package kvs.proto;
