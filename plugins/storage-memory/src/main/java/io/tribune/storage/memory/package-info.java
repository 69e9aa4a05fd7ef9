/**
 * Entry point of the {@code storage-memory} plugin: {@link io.tribune.storage.memory.InMemoryStoragePlugin}
 * and its factory {@link io.tribune.storage.memory.InMemoryStorageFactory}.
 *
 * <p>Configuration keys (all optional):
 * <ul>
 *   <li>{@code storage-memory.snapshots.retain}: committed snapshots kept, newest first; default 2, at least 1.</li>
 *   <li>{@code storage-memory.log.max-entry-bytes}: largest accepted entry payload; default 16 MiB.</li>
 *   <li>{@code storage-memory.snapshots.max-bytes}: largest accepted snapshot; default 1 GiB.</li>
 * </ul>
 */
package io.tribune.storage.memory;
