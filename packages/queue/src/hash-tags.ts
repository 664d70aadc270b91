/**
 * Redis Cluster hash tags. A cluster stores a key in the slot of the part of its name between the
 * first `{` and the next `}`, so keys with the same tag live on one shard and one script or MULTI
 * may use them together; keys with different tags spread over the shards. On a single node a tag
 * is only part of the name.
 */
export const hashTag = (value: string): string => `{${value}}`;

/**
 * Where a job type's keys start: its BullMQ queue and its companies' lines (one slot per job type,
 * as the dispatcher reads the queue's keys beside the lines'; different job types spread out).
 */
export const jobTypeKeys = (prefix: string, jobType: string): string =>
  `${prefix}:${hashTag(`jobs.${jobType}`)}`;
