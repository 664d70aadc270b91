import type { Job } from "@kiln/core";
import { isTerminalEvent } from "@kiln/core/event-types";
import { isTerminalStatus } from "@kiln/core/job-status";
import type { DashboardApi } from "./api.ts";
import { artifactItem, createObjectUrls } from "./artifact-preview.ts";
import { h, mount } from "./dom.ts";
import { durationOf, timeOfEventId } from "./format.ts";
import { progressBar, statusBadge } from "./jobs-view.ts";
import { openLiveStream, type StreamEvent } from "./live-stream.ts";
import { hrefOf, linkHandler } from "./router.ts";

/** One line of the timeline: when, what, and the detail that matters for that event. */
const timelineEntry = (event: StreamEvent) => {
  const { data } = event;
  const job = data.job as Job | undefined;
  const detail =
    event.type === "content_job.progress"
      ? `${data.progress} % · ${data.stage}${data.message ? ` · ${data.message}` : ""}`
      : event.type === "content_job.retrying"
        ? `attempt ${data.attempt}: ${(data.error as Job["error"])?.message ?? ""}`
        : event.type === "content_job.started"
          ? `attempt ${data.attempt}`
          : job
            ? `${job.status}${job.error ? ` · ${job.error.code}: ${job.error.message}` : ""}`
            : "";
  return h(
    "li",
    { "data-event": event.type },
    h("time", {}, timeOfEventId(event.id)),
    " ",
    h("strong", {}, event.type.replace("content_job.", "")),
    detail ? ` — ${detail}` : "",
  );
};

/**
 * One job: its details (fetched whole, `input` included), its event timeline replayed from the
 * job stream's start and then live, cancel / retry, and its artifacts.
 */
export const renderJobView = async (
  root: HTMLElement,
  { api, jobId }: { api: DashboardApi; jobId: string },
) => {
  const urls = createObjectUrls();
  const summary = h("div", { class: "job-summary" });
  const actions = h("div", { class: "actions" });
  const artifacts = h("ul", { class: "artifacts" });
  const timeline = h("ol", { class: "timeline", "aria-label": "Events" });
  const notice = h("p", { role: "status", class: "muted" });
  let shownArtifacts = "";
  let stream: { close(): void } | undefined;
  let job: Job | undefined;
  let lastEventId = "0-0";

  /**
   * Replays the job stream after `fromId`, then follows it live. The server ends the stream at the
   * job's current terminal event; a replayed terminal event older than the job as fetched (it was
   * retried since) does not end it.
   */
  const follow = (fromId: string) => {
    stream?.close();
    const since = job?.updatedAt ?? "";
    stream = openLiveStream({
      path: `${api.jobPath(jobId)}/events`,
      mintToken: api.mintStreamToken,
      lastEventId: fromId,
      onEvent: (event) => {
        if (event.id) lastEventId = event.id;
        timeline.append(timelineEntry(event));
        if (!job) return;
        const eventJob = event.data.job as Omit<Job, "input"> | undefined;
        if (eventJob && eventJob.updatedAt >= job.updatedAt) job = { ...eventJob, input: job.input };
        else if (event.type === "content_job.progress" && !isTerminalStatus(job.status))
          job = {
            ...job,
            status: "running",
            progress: Number(event.data.progress),
            stage: String(event.data.stage),
          };
        show(job);
      },
      endsAfter: (event) => {
        const eventJob = event.data.job as Job | undefined;
        return isTerminalEvent(event.type) && eventJob !== undefined && eventJob.updatedAt >= since;
      },
    });
  };

  const act = async (action: () => Promise<Job>, verb: string) => {
    try {
      job = { ...(await action()), input: job?.input };
      show(job);
      if (verb === "Retry") follow(lastEventId);
      mount(notice, `${verb} requested.`);
    } catch (error) {
      mount(notice, `${verb} failed: ${(error as Error).message}`);
    }
  };

  const show = (job: Job) => {
    mount(
      summary,
      h(
        "dl",
        {},
        h("dt", {}, "Status"),
        h("dd", { "data-job-status": job.status }, statusBadge(job.status)),
        h("dt", {}, "Progress"),
        h("dd", {}, progressBar(job)),
        h("dt", {}, "Type"),
        h("dd", {}, job.jobType),
        h("dt", {}, "Attempts"),
        h("dd", {}, `${job.attempts}/${job.maxAttempts}`),
        h("dt", {}, "Duration"),
        h("dd", {}, durationOf(job) || "not started"),
        h("dt", {}, "Source task"),
        h("dd", {}, job.sourceTaskId ?? "—"),
      ),
      job.error
        ? h(
            "p",
            { class: "job-error", role: "alert" },
            h("strong", {}, job.error.code),
            `: ${job.error.message}`,
          )
        : "",
      job.input === undefined
        ? ""
        : h(
            "details",
            {},
            h("summary", {}, "Input"),
            h("pre", { tabindex: 0 }, JSON.stringify(job.input, null, 2)),
          ),
    );
    mount(
      actions,
      isTerminalStatus(job.status)
        ? ""
        : h(
            "button",
            { type: "button", onclick: () => void act(() => api.cancelJob(job.id), "Cancel") },
            "Cancel job",
          ),
      job.status === "failed" || job.status === "cancelled"
        ? h(
            "button",
            { type: "button", onclick: () => void act(() => api.retryJob(job.id), "Retry") },
            "Retry job",
          )
        : "",
    );
    // Rebuilt only when the artifact list changes, so an open preview stays open.
    const names = job.artifacts.map((artifact) => artifact.sha256).join();
    if (names !== shownArtifacts) {
      shownArtifacts = names;
      mount(
        artifacts,
        ...(job.artifacts.length === 0
          ? [h("li", { class: "muted" }, "No artifacts yet.")]
          : job.artifacts.map((artifact) => artifactItem(api, artifact, urls))),
      );
    }
  };

  mount(
    root,
    h("p", {}, h("a", { href: hrefOf("jobs"), onclick: linkHandler }, "← All jobs")),
    h("h2", {}, "Job ", h("span", { class: "mono" }, jobId)),
    notice,
    summary,
    actions,
    h("h3", {}, "Artifacts"),
    artifacts,
    h("h3", {}, "Timeline"),
    timeline,
  );

  try {
    job = await api.getJob(jobId);
  } catch (error) {
    mount(notice, `Could not load the job: ${(error as Error).message}`);
    return () => urls.revokeAll();
  }
  show(job);
  follow("0-0");
  return () => {
    stream?.close();
    urls.revokeAll();
  };
};
