const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Kiln's ids (companies, keys, jobs) are UUIDs: a value that is not one names nothing. */
export const isUuid = (value: string): boolean => uuidPattern.test(value);
