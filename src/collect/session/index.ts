/** Sessions on disk: layout, manifest, listing, reading, checksums, merging, repair and compaction (docs/SESSIONS.md). */
export * from './compact.js';
export * from './detail.js';
export * from './files.js';
export * from './layout.js';
export * from './manifest.js';
export * from './merge.js';
export * from './parts.js';
export * from './reader.js';
export * from './repair.js';
export * from './store.js';
