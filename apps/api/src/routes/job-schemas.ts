import { artifactSchema, jobErrorSchema, jobSchema } from "@kiln/core";

// The Job shape comes from @kiln/core: the same schema the client and the events use.
export { artifactSchema, jobErrorSchema, jobSchema };
