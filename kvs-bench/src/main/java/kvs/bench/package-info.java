/**
 * {@code ./client.sh bench}: load generation and measurement of KVS, etcd and a gRPC server that
 * does no work, side by side, over plain gRPC calls (closed or open loop, HdrHistogram latencies).
 */
package kvs.bench;
