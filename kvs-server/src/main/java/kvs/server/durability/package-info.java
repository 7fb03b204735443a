/**
 * What survives a restart with {@code --data-dir}: a snapshot and a write-ahead log of the stream
 * entries applied since ({@link kvs.server.durability.DurableState}), synced as the {@link
 * kvs.server.durability.FsyncPolicy} says (by a thread of its own, never the one that applies the
 * stream), and recovered on start.
 */
package kvs.server.durability;
