/** Sessions on disk: layout, manifest, listing, reading, checksums and repair (docs/SESSIONS.md). */
export * from './files.js';
export * from './layout.js';
export * from './manifest.js';
export * from './reader.js';
export * from './repair.js';
export * from './store.js';
