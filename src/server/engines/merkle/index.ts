/** Pure RFC 6962 / RFC 9162 Merkle log engine plus C2SP signed notes and checkpoints. No I/O. */
export * from './hash.js';
export * from './tree.js';
export * from './note.js';
export * from './checkpoint.js';
