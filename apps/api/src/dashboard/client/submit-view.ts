import type { JobTypeDescription } from "@kiln/core";
import { ApiFailure, type DashboardApi } from "./api.ts";
import { h, mount } from "./dom.ts";
import { hrefOf, navigate } from "./router.ts";
import { type JsonSchema, schemaFields } from "./schema-form.ts";

/**
 * The submit form, generated from `GET /api/job-types`: pick a type, its input fields appear
 * pre-filled with the type's example. After a submit the jobs table shows the job live.
 */
export const renderSubmitView = (
  root: HTMLElement,
  { api, jobTypes, selected }: { api: DashboardApi; jobTypes: JobTypeDescription[]; selected?: string },
) => {
  const current = jobTypes.find((type) => type.jobType === selected) ?? jobTypes[0];
  if (!current) {
    mount(root, h("p", {}, "This API has no job types."));
    return;
  }
  const input = schemaFields(current.inputSchema as JsonSchema);
  const errors = h("div", { role: "alert", class: "form-errors" });
  const typeSelect = h(
    "select",
    { id: "submit-job-type", name: "jobType" },
    ...jobTypes.map((type) =>
      h("option", { value: type.jobType, selected: type.jobType === current.jobType }, type.jobType),
    ),
  );
  typeSelect.addEventListener("change", () =>
    navigate(hrefOf("submit", { jobType: typeSelect.value }), { replace: true }),
  );
  const sourceTaskId = h("input", { id: "submit-source-task", name: "sourceTaskId", maxlength: 200 });
  const priority = h("input", {
    id: "submit-priority",
    name: "priority",
    type: "number",
    min: 0,
    max: 100,
    step: 1,
  });

  const form = h(
    "form",
    { class: "submit-form", "aria-labelledby": "submit-title" },
    h("div", { class: "field" }, h("label", { for: "submit-job-type" }, "Job type"), typeSelect),
    h("p", { class: "hint" }, current.description),
    h("fieldset", {}, h("legend", {}, "Input"), ...input.fields.map((field) => field.element)),
    h(
      "fieldset",
      {},
      h("legend", {}, "Options"),
      h("div", { class: "field" }, h("label", { for: "submit-source-task" }, "Source task id"), sourceTaskId),
      h("div", { class: "field" }, h("label", { for: "submit-priority" }, "Priority (0–100)"), priority),
    ),
    errors,
    h("button", { type: "submit" }, "Submit job"),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    mount(errors);
    try {
      const body = {
        jobType: current.jobType,
        input: input.read(),
        ...(sourceTaskId.value.trim() && { sourceTaskId: sourceTaskId.value.trim() }),
        ...(priority.value !== "" && { priority: Number(priority.value) }),
      };
      const accepted = await api.submitJob(body);
      navigate(hrefOf("jobs", { submitted: accepted.jobId }));
    } catch (error) {
      const fieldErrors = error instanceof ApiFailure ? error.fieldErrors : [];
      mount(
        errors,
        h("p", {}, (error as Error).message),
        fieldErrors.length
          ? h("ul", {}, ...fieldErrors.map((item) => h("li", {}, `${item.path}: ${item.message}`)))
          : "",
      );
    }
  });

  mount(root, h("h2", { id: "submit-title" }, "Submit a job"), form);
};
