/** What a masked secret reads as, everywhere the tool writes (redact.ts masks; a capture's reader recognizes it). A leaf module: the API folders use it without importing the registry. */
export const MASK = '***';
