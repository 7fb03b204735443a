/**
 * The server's gRPC face: the fixed {@code kvs.KVS} service ({@link kvs.server.grpc.KvsService}),
 * the additive {@code kvs.admin.KvsAdmin} status service, the metadata every call carries ({@link
 * kvs.server.grpc.CallMetadata}) and calls held while the server catches up ({@link
 * kvs.server.grpc.HoldWhileCatchingUp}).
 */
package kvs.server.grpc;
