import type { ListJobsFilters } from "@kiln/client";
import { useEffect, useState } from "react";
import { applyJobEvent, type JobView } from "./job-view.ts";
import { useKilnClient } from "./kiln-provider.ts";

export type KilnJobsFilters = Omit<ListJobsFilters, "cursor">;

export interface KilnJobsState {
  /** Matching jobs, newest first: the first page of the list, then kept current by the company stream. */
  jobs: JobView[];
  /** The first page has not arrived yet. */
  loading: boolean;
  /** Why the list or the stream stopped, if it did. */
  error: unknown;
}

const matches = (job: JobView, filters: KilnJobsFilters) =>
  (!filters.status || job.status === filters.status) &&
  (!filters.jobType || job.jobType === filters.jobType) &&
  (!filters.sourceTaskId || job.sourceTaskId === filters.sourceTaskId);

const newestFirst = (jobs: Map<string, JobView>) =>
  [...jobs.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

/**
 * The company's jobs, live: opens the company stream (`client.followCompany`, resumable), reads the
 * first page of `listJobs(filters)`, and from then on applies every event, so a new job appears and
 * a running one moves without polling. A list answer never moves a job back past a newer event.
 * The list and the stream start together: a change in the instant before the stream is open shows
 * with the job's next event (the client exposes no "open" signal to wait for).
 */
export const useKilnJobs = (filters: KilnJobsFilters = {}): KilnJobsState => {
  const client = useKilnClient();
  const [state, setState] = useState<KilnJobsState>({ jobs: [], loading: true, error: undefined });
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    const current: KilnJobsFilters = JSON.parse(filterKey);
    const controller = new AbortController();
    const jobs = new Map<string, JobView>();
    let loading = true;
    const publish = (error?: unknown) =>
      setState({ jobs: newestFirst(jobs).filter((job) => matches(job, current)), loading, error });
    setState({ jobs: [], loading: true, error: undefined });

    const follow = async () => {
      try {
        for await (const event of client.followCompany({ signal: controller.signal })) {
          const next = applyJobEvent(jobs.get(event.data.jobId), event);
          if (!next) continue;
          jobs.set(next.id, next);
          publish();
        }
      } catch (error) {
        if (!controller.signal.aborted) publish(error);
      }
    };
    const load = async () => {
      try {
        const page = await client.listJobs(current, { signal: controller.signal });
        for (const job of page.items) {
          const known = jobs.get(job.id);
          if (!known || known.updatedAt <= job.updatedAt) jobs.set(job.id, job);
        }
        loading = false;
        publish();
      } catch (error) {
        loading = false;
        if (!controller.signal.aborted) publish(error);
      }
    };
    void follow();
    void load();
    return () => controller.abort();
  }, [client, filterKey]);

  return state;
};
