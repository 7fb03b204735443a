/**
 * The multi-version store: key to version to value ({@link kvs.core.VersionedStore}), with its
 * content digest, snapshot cursors and the input rules every server applies alike. Pure: no I/O, no
 * clock, no threads.
 */
package kvs.core;
