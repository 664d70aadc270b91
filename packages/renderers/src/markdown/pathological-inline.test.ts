import { describePathologicalMarkdown } from "./pathological-markdown.ts";

describePathologicalMarkdown("inline");
