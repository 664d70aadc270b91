import type { DashboardApi } from "./api.ts";
import { h, mount } from "./dom.ts";
import { formatDuration } from "./format.ts";

/** Queue health for admins: depth, oldest waiting age and workers per job type, and Bull Board. */
export const renderHealthView = async (root: HTMLElement, { api }: { api: DashboardApi }) => {
  const body = h("tbody");
  const status = h("p", { role: "status", class: "muted" }, "Loading…");
  const load = async () => {
    try {
      const health = await api.queueHealth();
      mount(
        body,
        ...health.jobTypes.map((row) =>
          h(
            "tr",
            { "data-job-type": row.jobType },
            h("th", { scope: "row" }, row.jobType),
            h("td", {}, row.waiting),
            h("td", {}, row.active),
            h("td", {}, row.delayed),
            h("td", {}, row.failed),
            h("td", {}, row.oldestWaitingMs === null ? "—" : formatDuration(row.oldestWaitingMs)),
            h("td", {}, row.workers ?? "unknown"),
          ),
        ),
      );
      mount(status, `Checked at ${new Date(health.checkedAt).toLocaleTimeString()}.`);
    } catch (error) {
      mount(status, `Could not read queue health: ${(error as Error).message}`);
    }
  };
  mount(
    root,
    h("h2", {}, "Queues"),
    h(
      "p",
      {},
      h("button", { type: "button", onclick: () => void load() }, "Refresh"),
      " ",
      h("a", { href: "/admin/queues", target: "_blank", rel: "noopener" }, "Open Bull Board"),
      h("span", { class: "muted" }, " (asks for the admin token as the password)"),
    ),
    status,
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, "Queue health per job type"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Job type", "Waiting", "Active", "Delayed", "Failed", "Oldest waiting", "Workers"].map(
            (title) => h("th", { scope: "col" }, title),
          ),
        ),
      ),
      body,
    ),
  );
  await load();
};
