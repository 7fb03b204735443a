package kvs.bench;

/**
 * The unary operations of one measured system, sent to target {@code target} (an index into the
 * run's targets). Each method returns at once and reports the end to {@code done}.
 */
interface Driver extends AutoCloseable {

  /** Stores {@code value} under {@code key}: Insere, or etcd's Put. */
  void put(int target, String key, String value, Completion done);

  /** Reads {@code key}: Consulta (newest version), or etcd's serializable Range. */
  void get(int target, String key, Completion done);

  /** Closes the channels. */
  @Override
  void close();
}
