/**
 * The replicated state machine and the messages of the replication stream: {@link
 * kvs.core.replication.StateMachine} applies write messages deterministically (duplicates and
 * retried requests answered once), {@link kvs.core.replication.MessageCodec} reads and writes every
 * message kind, and the state travels as {@link kvs.core.replication.StateImage}s in {@link
 * kvs.core.replication.StateChunk}s, whole or as {@link kvs.core.replication.StateChanges}. Pure:
 * no I/O, no clock, no threads.
 */
package kvs.core.replication;
