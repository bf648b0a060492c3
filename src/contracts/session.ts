/** A session's status as session.json records it (schemas/session.schema.json). */
export type SessionStatus = 'recording' | 'complete' | 'failed';

/**
 * A session's status as lists show it (`oe sessions`, the UI). `incomplete` is a session whose recorder is
 * gone without finishing (kill -9, power loss): its manifest still says `recording`. `unreadable` has a
 * broken session.json.
 */
export type DisplayStatus = SessionStatus | 'incomplete' | 'unreadable';
