// A page that uses the hooks the way an application would; the browser test serves it bundled.
import { createKilnClient } from "@kiln/client";
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { KilnProvider, useKilnJob, useKilnJobs } from "../src/index.ts";

declare global {
  interface Window {
    kilnTest: { baseUrl: string; apiKey: string; companyId: string };
    /** Set by the test: the job the panel follows. */
    followJob?: (jobId: string) => void;
  }
}

const JobPanel = () => {
  const [jobId, setJobId] = useState<string>();
  useEffect(() => {
    window.followJob = setJobId;
  }, []);
  const { job, events, finished, error } = useKilnJob(jobId);
  return (
    <section
      data-testid="job"
      data-status={job?.status ?? "none"}
      data-progress={job?.progress ?? -1}
      data-events={events.map((event) => event.type).join(" ")}
      data-finished={String(finished)}
    >
      {error ? `error: ${String(error)}` : `${job?.status ?? "…"} ${job?.progress ?? 0} %`}
    </section>
  );
};

const JobsList = () => {
  const { jobs, loading } = useKilnJobs({ jobType: "canary" });
  return (
    <ul data-testid="jobs" data-loading={String(loading)}>
      {jobs.map((job) => (
        <li key={job.id} data-id={job.id} data-status={job.status} data-progress={job.progress}>
          {job.id} {job.status}
        </li>
      ))}
    </ul>
  );
};

const { baseUrl, apiKey, companyId } = window.kilnTest;
const client = createKilnClient({ baseUrl, apiKey, companyId });
const root = document.getElementById("root");
if (root)
  createRoot(root).render(
    <KilnProvider client={client}>
      <JobPanel />
      <JobsList />
    </KilnProvider>,
  );
