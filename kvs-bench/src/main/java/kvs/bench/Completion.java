package kvs.bench;

/** Where a request reports how it ended; called exactly once, from any thread. */
@FunctionalInterface
interface Completion {
  void complete(Outcome outcome);
}
