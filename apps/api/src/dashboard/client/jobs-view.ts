import type { JobStatus } from "@kiln/core";
import type { DashboardApi } from "./api.ts";
import { h, mount } from "./dom.ts";
import { ageOf, durationOf } from "./format.ts";
import type { JobRow, JobsState } from "./jobs-state.ts";
import { hrefOf, linkHandler, navigate } from "./router.ts";

const statuses: JobStatus[] = ["queued", "running", "done", "failed", "cancelled"];

export interface JobFilters {
  status?: string;
  jobType?: string;
  sourceTaskId?: string;
  /** Text searched in job ids (in the loaded rows). */
  q?: string;
}

export const filtersOf = (params: URLSearchParams): JobFilters => ({
  status: params.get("status") ?? undefined,
  jobType: params.get("jobType") ?? undefined,
  sourceTaskId: params.get("sourceTaskId") ?? undefined,
  q: params.get("q") ?? undefined,
});

const matches = (job: JobRow, filters: JobFilters) =>
  (!filters.status || job.status === filters.status) &&
  (!filters.jobType || job.jobType === filters.jobType) &&
  (!filters.sourceTaskId || job.sourceTaskId === filters.sourceTaskId) &&
  (!filters.q || job.id.toLowerCase().includes(filters.q.trim().toLowerCase()));

export const statusBadge = (status: JobStatus) =>
  h("span", { class: `badge badge-${status}`, "data-status": status }, status);

export const progressBar = (job: Pick<JobRow, "progress" | "stage" | "id">) =>
  h(
    "div",
    { class: "progress-cell" },
    h("progress", { max: 100, value: job.progress, "aria-label": `Progress of job ${job.id}` }),
    h("span", { class: "progress-text" }, `${job.progress} % · ${job.stage}`),
  );

const jobRow = (job: JobRow, now: number) =>
  h(
    "tr",
    { "data-job-id": job.id, "data-status": job.status },
    h(
      "td",
      {},
      h(
        "a",
        { href: hrefOf("job", { id: job.id }), onclick: linkHandler, class: "mono" },
        job.id.slice(0, 8),
      ),
    ),
    h("td", {}, job.jobType),
    h("td", {}, statusBadge(job.status)),
    h("td", {}, progressBar(job)),
    h("td", {}, job.sourceTaskId ? h("span", { class: "tag" }, job.sourceTaskId) : ""),
    h("td", {}, ageOf(job.createdAt, now)),
    h("td", {}, durationOf(job, now)),
    h("td", {}, `${job.attempts}/${job.maxAttempts}`),
  );

const filterForm = (filters: JobFilters, jobTypes: string[]) => {
  const select = (name: string, label: string, options: string[], value?: string) =>
    h(
      "label",
      {},
      label,
      h(
        "select",
        { name },
        h("option", { value: "" }, "any"),
        ...options.map((option) => h("option", { value: option, selected: option === value }, option)),
      ),
    );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter jobs" },
    select("status", "Status", statuses, filters.status),
    select("jobType", "Job type", jobTypes, filters.jobType),
    h("label", {}, "Source task", h("input", { name: "sourceTaskId", value: filters.sourceTaskId ?? "" })),
    h("label", {}, "Job id contains", h("input", { name: "q", type: "search", value: filters.q ?? "" })),
    h("button", { type: "submit" }, "Apply"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    navigate(
      hrefOf(
        "jobs",
        Object.fromEntries([...data.entries()].map(([name, value]) => [name, String(value).trim()])),
      ),
      { replace: true },
    );
  });
  form.addEventListener("change", (event) => {
    if ((event.target as Element).tagName === "SELECT") form.requestSubmit();
  });
  return form;
};

/**
 * The live jobs table: the first page comes from the list route (its filters server-side), then the
 * company stream keeps every row current; id search filters the loaded rows.
 */
export const renderJobsView = async (
  root: HTMLElement,
  {
    api,
    state,
    filters,
    jobTypes,
    submitted,
    streamOpen,
  }: {
    api: DashboardApi;
    state: JobsState;
    filters: JobFilters;
    jobTypes: string[];
    submitted?: string;
    streamOpen: Promise<void>;
  },
) => {
  const body = h("tbody");
  const footer = h("div", { class: "table-footer" });
  const status = h("p", { class: "muted", role: "status" }, "Loading jobs…");
  let nextCursor: string | null = null;

  let scheduled = false;
  const draw = () => {
    scheduled = false;
    const now = Date.now();
    const rows = state.rows().filter((job) => matches(job, filters));
    // Rows are rebuilt; a keyboard user's focus stays on the same job's link.
    const focused = document.activeElement?.closest("tr")?.getAttribute("data-job-id");
    mount(body, ...rows.map((job) => jobRow(job, now)));
    if (focused) body.querySelector<HTMLElement>(`tr[data-job-id="${CSS.escape(focused)}"] a`)?.focus();
    mount(status, rows.length === 0 ? "No jobs match." : `${rows.length} jobs`);
    mount(
      footer,
      nextCursor
        ? h("button", { type: "button", onclick: () => void loadPage(nextCursor ?? undefined) }, "Load more")
        : "",
    );
  };

  const loadPage = async (cursor?: string) => {
    const page = await api.listJobs({ ...filters, cursor });
    nextCursor = page.nextCursor;
    if (cursor) state.merge(page.items);
    else state.reset(page.items);
  };

  mount(
    root,
    h("h2", {}, "Jobs"),
    submitted
      ? h(
          "p",
          { role: "status", class: "notice" },
          "Submitted job ",
          h("a", { href: hrefOf("job", { id: submitted }), onclick: linkHandler, class: "mono" }, submitted),
          ".",
        )
      : "",
    filterForm(filters, jobTypes),
    status,
    h(
      "table",
      { class: "jobs" },
      h("caption", { class: "visually-hidden" }, "Jobs, newest first, updated live"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Job", "Type", "Status", "Progress", "Source task", "Age", "Duration", "Attempts"].map(
            (title) => h("th", { scope: "col" }, title),
          ),
        ),
      ),
      body,
    ),
    footer,
  );
  // Many events in one frame draw once.
  const unsubscribe = state.subscribe(() => {
    if (!scheduled) requestAnimationFrame(draw);
    scheduled = true;
  });
  // Ages and running durations move with the clock; this redraws locally, it asks the server nothing.
  const clock = setInterval(draw, 5_000);
  try {
    await streamOpen;
    await loadPage();
  } catch (error) {
    mount(status, `Could not load jobs: ${(error as Error).message}`);
  }
  return () => {
    unsubscribe();
    clearInterval(clock);
  };
};
