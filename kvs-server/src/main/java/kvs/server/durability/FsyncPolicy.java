package kvs.server.durability;

/** When the write-ahead log is forced to the disk. */
public enum FsyncPolicy {
  /** After every appended entry, before its writer is answered: nothing acknowledged is lost. */
  BATCH,
  /**
   * At most every fsync interval: a crash of the machine may lose that much; a crash of the
   * process, nothing.
   */
  INTERVAL,
  /** Never explicitly: the operating system decides. */
  NEVER
}
